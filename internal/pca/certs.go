package pca

import (
	"context"
	"fmt"
	"net/http"
)

func certPath(caStoreID, certID int64) string {
	return storePath(caStoreID) + "/certs/" + id(certID)
}

// ListCertificates returns one page of a store's certificates (GET
// /ca-stores/{caStoreId}/certs, VIEWER). certType is ListTypeAll,
// ListTypeIssuer, ListTypeLeaf, or "" for the server default (all);
// opts.Search matches the Common Name. Errors: as GetCertificate, plus an
// error for another certType or a negative page or size.
func (c *Client) ListCertificates(ctx context.Context, caStoreID int64, certType string, opts ListOptions) (*CertificateList, error) {
	q, err := listQuery(opts)
	if err != nil {
		return nil, err
	}
	switch certType {
	case "":
	case ListTypeAll, ListTypeIssuer, ListTypeLeaf:
		q.Set("type", certType)
	default:
		return nil, fmt.Errorf("pca: ListCertificates: type %q is not one of all, issuer, leaf", certType)
	}
	return callJSON[CertificateList](ctx, c, call{op: "ListCertificates", method: http.MethodGet, path: storePath(caStoreID) + "/certs", query: q}, nil)
}

// GetCertificate returns a certificate's detail, including its children
// (GET /ca-stores/{caStoreId}/certs/{certId}, VIEWER). Errors: *Error for
// an API failure (IsNotFound for an unknown id), *TokenError when no token
// could be had, a transport error otherwise.
func (c *Client) GetCertificate(ctx context.Context, caStoreID, certID int64) (*Certificate, error) {
	return callJSON[Certificate](ctx, c, call{op: "GetCertificate", method: http.MethodGet, path: certPath(caStoreID, certID)}, nil)
}

// IssueIssuerCertificate issues a ROOT or INTERMEDIATE certificate whose key
// the server makes and keeps (POST /ca-stores/{caStoreId}/certs, ADMIN).
// Errors: as GetCertificate.
func (c *Client) IssueIssuerCertificate(ctx context.Context, caStoreID int64, req IssuerCertRequest) (*Certificate, error) {
	return callJSON[Certificate](ctx, c, call{op: "IssueIssuerCertificate", method: http.MethodPost, path: storePath(caStoreID) + "/certs"}, req)
}

// RevokeCertificate revokes a certificate (POST
// /ca-stores/{caStoreId}/certs/{certId}/revoke, ADMIN; no request body).
// Errors: as GetCertificate.
func (c *Client) RevokeCertificate(ctx context.Context, caStoreID, certID int64) (*RevokeResult, error) {
	return callJSON[RevokeResult](ctx, c, call{op: "RevokeCertificate", method: http.MethodPost, path: certPath(caStoreID, certID) + "/revoke"}, nil)
}

// DownloadCertificate returns one certificate as raw PEM bytes (GET
// /ca-stores/{caStoreId}/certs/{certId}/download, VIEWER;
// application/x-pem-file). Errors: as GetCertificate.
func (c *Client) DownloadCertificate(ctx context.Context, caStoreID, certID int64) ([]byte, error) {
	return callRaw(ctx, c, call{op: "DownloadCertificate", method: http.MethodGet, path: certPath(caStoreID, certID) + "/download"})
}
