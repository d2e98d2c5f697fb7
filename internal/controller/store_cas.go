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

// maxStoreCAs bounds the certificate reads of one store check: a real
// store holds a root or two and a few intermediates.
const maxStoreCAs = 20

// storeCAReader is what reading a store's CA certificates needs of a PCA
// client.
type storeCAReader interface {
	ListCertificates(ctx context.Context, caStoreID int64, listType string, o pca.ListOptions) (*pca.CertificateList, error)
	GetCertificate(ctx context.Context, caStoreID, certID int64) (*pca.Certificate, error)
}

// storeCAs are the CA certificates of one PCA store that are not revoked:
// its self-signed roots and its intermediates.
type storeCAs struct {
	roots, intermediates []*x509.Certificate
}

// readStoreCAs lists the store's issuer certificates (one page of 100) and
// reads at most maxStoreCAs of them. An item whose detail does not parse as
// one certificate is an error: the store's answer cannot be trusted.
func readStoreCAs(ctx context.Context, r storeCAReader, caStoreID int64) (storeCAs, error) {
	list, err := r.ListCertificates(ctx, caStoreID, pca.ListTypeIssuer, pca.ListOptions{Size: 100})
	if err != nil {
		return storeCAs{}, err
	}
	var out storeCAs
	read := 0
	for _, item := range list.ListCerts[:min(len(list.ListCerts), 100)] {
		if item.Status == pca.StatusRevoked || (item.Type != pca.TypeRoot && item.Type != pca.TypeIntermediate) {
			continue
		}
		if read++; read > maxStoreCAs {
			return storeCAs{}, fmt.Errorf("store %d lists more than %d CA certificates", caStoreID, maxStoreCAs)
		}
		detail, err := r.GetCertificate(ctx, caStoreID, item.ID)
		if err != nil {
			return storeCAs{}, err
		}
		cert, err := pki.DecodeX509CertificateBytes([]byte(detail.CertificatePem))
		if err != nil {
			return storeCAs{}, fmt.Errorf("CA certificate %d of store %d: %w", item.ID, caStoreID, err)
		}
		if item.Type == pca.TypeRoot {
			out.roots = append(out.roots, cert)
		} else {
			out.intermediates = append(out.intermediates, cert)
		}
	}
	if len(out.roots) == 0 {
		return storeCAs{}, fmt.Errorf("store %d lists no root certificate", caStoreID)
	}
	return out, nil
}

// caPins keeps, per issuer, the store CAs its last successful check read.
// The request path holds every answer to them; a new check replaces them.
type caPins struct {
	mu sync.RWMutex
	m  map[types.NamespacedName]storeCAs
}

func newCAPins() *caPins { return &caPins{m: map[types.NamespacedName]storeCAs{}} }

// set pins cas for the issuer key; a nil *caPins keeps nothing.
func (p *caPins) set(key types.NamespacedName, cas storeCAs) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.m[key] = cas
}

// roots returns the issuer's pinned roots; nil before its first check,
// and from a nil *caPins.
func (p *caPins) roots(key types.NamespacedName) []*x509.Certificate {
	if p == nil {
		return nil
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.m[key].roots
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
