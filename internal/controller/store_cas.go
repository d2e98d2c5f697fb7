package controller

import (
	"context"
	"crypto/x509"
	"fmt"
	"sync"

	"k8s.io/apimachinery/pkg/types"

	"github.com/cert-manager/cert-manager/pkg/util/pki"

	"github.com/nhnpca/pca-issuer/internal/pca"
)

// certificateReader is what reading a template's CA chain needs of a PCA
// client.
type certificateReader interface {
	GetCertificate(ctx context.Context, caStoreID, certID int64) (*pca.Certificate, error)
}

// storeCAs are the CA certificates a template signs under: the self-signed
// roots and the intermediates of its signing certificate's chain.
type storeCAs struct {
	roots, intermediates []*x509.Certificate
}

// readSigningCAs reads the certificate a template signs with
// (signingCertificateId) and its chain, as the store lists them, and splits
// them into roots and intermediates. One GetCertificate call. A chain
// without a self-signed root, or a certificate that does not parse, is an
// error: the store's answer cannot be pinned.
func readSigningCAs(ctx context.Context, r certificateReader, caStoreID, signingID int64) (storeCAs, error) {
	detail, err := r.GetCertificate(ctx, caStoreID, signingID)
	if err != nil {
		return storeCAs{}, err
	}
	certs, err := pki.DecodeX509CertificateChainBytes([]byte(detail.CertificatePem + "\n" + detail.ChainCertificatePem))
	if err != nil {
		return storeCAs{}, fmt.Errorf("the chain of signing certificate %d of store %d: %w", signingID, caStoreID, err)
	}
	var out storeCAs
	for _, c := range certs {
		if c.CheckSignatureFrom(c) == nil {
			out.roots = append(out.roots, c)
		} else {
			out.intermediates = append(out.intermediates, c)
		}
	}
	if len(out.roots) == 0 {
		return storeCAs{}, fmt.Errorf("the chain of signing certificate %d of store %d holds no self-signed root", signingID, caStoreID)
	}
	return out, nil
}

// caPins keeps, per issuer and signing certificate, the CA chain read from
// the store: the issuer's check refreshes the one of spec.templateId, and
// a request signed by another allowed template reads its own once. Every
// answer must chain to a pinned root (docs/security.md, "Isolation").
type caPins struct {
	mu sync.RWMutex
	m  map[types.NamespacedName]map[int64]storeCAs
}

func newCAPins() *caPins { return &caPins{m: map[types.NamespacedName]map[int64]storeCAs{}} }

// set pins cas for the issuer key and signing certificate; a nil *caPins
// keeps nothing.
func (p *caPins) set(key types.NamespacedName, signingID int64, cas storeCAs) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m[key] == nil {
		p.m[key] = map[int64]storeCAs{}
	}
	p.m[key][signingID] = cas
}

// roots returns the pinned roots of the issuer's signing certificate; nil
// when none was read yet, and from a nil *caPins.
func (p *caPins) roots(key types.NamespacedName, signingID int64) []*x509.Certificate {
	if p == nil {
		return nil
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.m[key][signingID].roots
}

// forget drops a deleted issuer's pins.
func (p *caPins) forget(key types.NamespacedName) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.m, key)
}

// rootsFor returns the pinned roots for a template of the issuer key,
// reading its signing certificate's chain through r when not pinned yet.
// A template without a signingCertificateId has no pin (nil, nil).
func (p *caPins) rootsFor(ctx context.Context, r certificateReader, key types.NamespacedName, caStoreID int64, tmpl *pca.Template) ([]*x509.Certificate, error) {
	if p == nil || tmpl.SigningCertificateID == 0 {
		return nil, nil
	}
	if roots := p.roots(key, tmpl.SigningCertificateID); roots != nil {
		return roots, nil
	}
	cas, err := readSigningCAs(ctx, r, caStoreID, tmpl.SigningCertificateID)
	if err != nil {
		return nil, err
	}
	p.set(key, tmpl.SigningCertificateID, cas)
	return cas.roots, nil
}
