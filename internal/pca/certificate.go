package pca

import (
	"context"
	"fmt"
	"net/http"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// certPath is the escaped path of one certificate below Client.root.
func certPath(caStoreID, certID int64) string {
	return storePath(caStoreID) + "/certs/" + id(certID)
}

// ListCertificates returns one page of a store's certificates (GET
// /ca-stores/{caStoreId}/certs, VIEWER). certType is wire.ListTypeAll,
// wire.ListTypeIssuer, wire.ListTypeLeaf, or "" for the server default
// (all); opts.Search matches the Common Name. Errors: as GetCertificate,
// plus an error for another certType or a negative page or size.
func (c *Client) ListCertificates(ctx context.Context, caStoreID int64, certType string, opts wire.ListOptions) (*wire.CertificateList, error) {
	q, err := listQuery(opts)
	if err != nil {
		return nil, err
	}
	switch certType {
	case "":
	case wire.ListTypeAll, wire.ListTypeIssuer, wire.ListTypeLeaf:
		q.Set("type", certType)
	default:
		return nil, fmt.Errorf("pca: ListCertificates: type %q is not one of all, issuer, leaf", certType)
	}
	return callJSON[wire.CertificateList](ctx, c, call{op: "ListCertificates", method: http.MethodGet, path: storePath(caStoreID) + "/certs", query: q}, nil)
}

// GetCertificate returns a certificate's detail, including its children
// (GET /ca-stores/{caStoreId}/certs/{certId}, VIEWER). Errors: *Error for
// an API failure (IsNotFound for an unknown id), *TokenError when no token
// could be had, a transport error otherwise.
func (c *Client) GetCertificate(ctx context.Context, caStoreID, certID int64) (*wire.Certificate, error) {
	return callJSON[wire.Certificate](ctx, c, call{op: "GetCertificate", method: http.MethodGet, path: certPath(caStoreID, certID)}, nil)
}

// RevokeCertificate revokes a certificate (POST
// /ca-stores/{caStoreId}/certs/{certId}/revoke, ADMIN; no request body).
// Errors: as GetCertificate.
func (c *Client) RevokeCertificate(ctx context.Context, caStoreID, certID int64) (*wire.RevokeResult, error) {
	return callJSON[wire.RevokeResult](ctx, c, call{op: "RevokeCertificate", method: http.MethodPost, path: certPath(caStoreID, certID) + "/revoke"}, nil)
}
