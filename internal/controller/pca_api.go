package controller

import (
	"context"
	"time"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// pcaAPI is the part of the PCA API that signing a request calls: read a
// template and the CA chain it signs under, issue in SIGN mode, and look up
// a leaf issued by an earlier attempt. *pca.Client implements it; unit tests fake it.
type pcaAPI interface {
	// GetTemplate reads one template of a store.
	GetTemplate(ctx context.Context, caStoreID, templateID int64) (*wire.Template, error)
	// IssueWithTemplate signs a CSR through a template.
	IssueWithTemplate(ctx context.Context, caStoreID, templateID int64, req wire.IssueRequest) (*wire.Certificate, error)
	// GetCertificate reads one certificate of a store with its chain (the
	// CA chain a template signs under, for the answer's pinned roots).
	GetCertificate(ctx context.Context, caStoreID, certID int64) (*wire.Certificate, error)
	// FindLeaf returns the newest leaf with commonName created after
	// issuedAfter for which match is true, or nil.
	FindLeaf(ctx context.Context, caStoreID int64, commonName string, issuedAfter time.Time, match func(*wire.Certificate) bool) (*wire.Certificate, error)
}

// pcaSource returns the PCA API of an issuer; it fails as (*clients).For
// does (an *issuerConfigError when the Secret or the spec needs fixing).
type pcaSource func(ctx context.Context, iss v1alpha1.Issuer) (pcaAPI, error)

// pcaSourceOf adapts clients to a pcaSource.
func pcaSourceOf(cs *clients) pcaSource {
	return func(ctx context.Context, iss v1alpha1.Issuer) (pcaAPI, error) {
		pc, err := cs.For(ctx, iss)
		if err != nil {
			return nil, err // not a typed nil in the interface
		}
		return pc, nil
	}
}
