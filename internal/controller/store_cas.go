package controller

import (
	"context"
	"crypto/x509"
	"fmt"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"

	"github.com/cert-manager/cert-manager/pkg/util/pki"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// certificateReader is what reading a template's CA chain needs of a PCA
// client.
type certificateReader interface {
	GetCertificate(ctx context.Context, caStoreID, certID int64) (*wire.Certificate, error)
}

// storeCAs are the CA certificates a template signs under: its signing
// certificate, the self-signed root that certificate verifies to, and the
// intermediates of its chain.
type storeCAs struct {
	signing              *x509.Certificate
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
	out := storeCAs{signing: certs[0]}
	roots, intermediates := x509.NewCertPool(), x509.NewCertPool()
	for _, c := range certs {
		if c.CheckSignatureFrom(c) == nil {
			roots.AddCert(c)
		} else if c != out.signing {
			intermediates.AddCert(c)
			out.intermediates = append(out.intermediates, c)
		}
	}
	// Only the root the signing certificate verifies to is pinned, at a time
	// when every certificate of its chain is valid.
	paths, err := out.signing.Verify(x509.VerifyOptions{Roots: roots, Intermediates: intermediates,
		CurrentTime: out.signing.NotBefore.Add(time.Second), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		return storeCAs{}, fmt.Errorf("signing certificate %d of store %d does not verify to a self-signed root of its chain: %w", signingID, caStoreID, err)
	}
	out.roots = []*x509.Certificate{paths[0][len(paths[0])-1]}
	return out, nil
}

// caPins keeps, per issuer and signing certificate, the CA chain read from
// the store: the issuer's check refreshes the one of spec.templateId, and
// a request signed by another allowed template reads its own once. Every
// answer must chain to a pinned root (docs/security.md, "Isolation").
type caPins struct {
	mu sync.RWMutex
	m  map[types.NamespacedName]map[int64]storeCAs
	// stamp is the issuer UID and generation the pins were read for.
	stamp map[types.NamespacedName]string
}

func newCAPins() *caPins {
	return &caPins{m: map[types.NamespacedName]map[int64]storeCAs{}, stamp: map[types.NamespacedName]string{}}
}

// renew drops the pins of the issuer key read for another UID or
// generation (its spec changed: another store, URL or template), so that
// nothing read for an old spec is trusted for the new one.
func (p *caPins) renew(key types.NamespacedName, uid types.UID, generation int64) {
	if p == nil {
		return
	}
	stamp := fmt.Sprintf("%s/%d", uid, generation)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stamp[key] != stamp {
		delete(p.m, key)
		p.stamp[key] = stamp
	}
}

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

// pinned returns the pinned chain of the issuer's signing certificate, and
// whether there is one.
func (p *caPins) pinned(key types.NamespacedName, signingID int64) (storeCAs, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	cas, ok := p.m[key][signingID]
	return cas, ok
}

// forget drops a deleted issuer's pins.
func (p *caPins) forget(key types.NamespacedName) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.m, key)
	delete(p.stamp, key)
}

// chainFor returns the pinned chain for a template of the issuer key,
// reading its signing certificate's chain through r when not pinned yet.
// A template without a signingCertificateId cannot be pinned: that is an
// error naming the field.
func (p *caPins) chainFor(ctx context.Context, r certificateReader, key types.NamespacedName, caStoreID int64, tmpl *wire.Template) (storeCAs, error) {
	if tmpl.SigningCertificateID == 0 {
		return storeCAs{}, fmt.Errorf("template %d names no signingCertificateId: its answers cannot be held to the store's CA", tmpl.ID)
	}
	if p == nil {
		return readSigningCAs(ctx, r, caStoreID, tmpl.SigningCertificateID)
	}
	if cas, ok := p.pinned(key, tmpl.SigningCertificateID); ok {
		return cas, nil
	}
	cas, err := readSigningCAs(ctx, r, caStoreID, tmpl.SigningCertificateID)
	if err != nil {
		return storeCAs{}, err
	}
	p.set(key, tmpl.SigningCertificateID, cas)
	return cas, nil
}
