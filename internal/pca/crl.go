package pca

import (
	"context"
	"net/http"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// crlPath is the escaped path of an issuer's CRL below Client.root.
func crlPath(caStoreID, issuerCertID int64) string {
	return certPath(caStoreID, issuerCertID) + "/crl"
}

// GetCRLInfo returns the current CRL of an issuer certificate as PEM with
// its thisUpdate and nextUpdate (GET .../certs/{issuerCertId}/crl, VIEWER).
// Errors: *Error for an API failure, *TokenError when no token could be
// had, a transport error otherwise.
func (c *Client) GetCRLInfo(ctx context.Context, caStoreID, issuerCertID int64) (*wire.CRLInfo, error) {
	return callJSON[wire.CRLInfo](ctx, c, call{op: "GetCRLInfo", method: http.MethodGet, path: crlPath(caStoreID, issuerCertID)}, nil)
}

// DownloadCRL returns the CRL of an issuer certificate as raw bytes: DER
// (RFC 5280 section 5) when der is true (GET .../crl/der), PEM otherwise
// (GET .../crl/pem). Both endpoints are public, so no token is sent.
// Errors: *Error for an API failure, a transport error otherwise.
func (c *Client) DownloadCRL(ctx context.Context, caStoreID, issuerCertID int64, der bool) ([]byte, error) {
	format := "/pem"
	if der {
		format = "/der"
	}
	return callRaw(ctx, c, call{op: "DownloadCRL", method: http.MethodGet, path: crlPath(caStoreID, issuerCertID) + format, public: true})
}
