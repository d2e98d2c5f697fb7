package pca

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// OCSP sends a DER OCSP request (RFC 6960 section 4.1) to a store's
// responder and returns the DER OCSP response (POST
// /ca-stores/{caStoreId}/ocsp, public, application/ocsp-request). Parse it
// with golang.org/x/crypto/ocsp. Note that the API caches responses for the
// store's ocspRefreshPeriod hours. Errors: an error for an empty request,
// *Error for an API failure, a transport error otherwise.
func (c *Client) OCSP(ctx context.Context, caStoreID int64, derRequest []byte) ([]byte, error) {
	if len(derRequest) == 0 {
		return nil, errors.New("pca: OCSP: request is empty")
	}
	return callRaw(ctx, c, call{
		op:          "OCSP",
		method:      http.MethodPost,
		path:        storePath(caStoreID) + "/ocsp",
		body:        derRequest,
		contentType: wire.OCSPRequestType,
		public:      true,
	})
}

// OCSPGet sends a DER OCSP request (RFC 6960 section 4.1) to a store's
// responder by GET and returns the DER OCSP response (GET
// /ca-stores/{caStoreId}/ocsp/{ocspRequestBase64}, public). The request is
// put in the path as URL-safe base64 ("-" and "_" for "+" and "/") without
// "=" padding, as the provider's guide asks (RFC 6960 appendix A.1 instead
// URL-escapes standard base64); that alphabet needs no path escaping. RFC
// 5019 section 5 keeps GET for requests under 255 bytes once encoded, so
// HTTP caches can serve them; OCSP (POST) suits larger ones. Errors: as
// OCSP.
func (c *Client) OCSPGet(ctx context.Context, caStoreID int64, derRequest []byte) ([]byte, error) {
	if len(derRequest) == 0 {
		return nil, errors.New("pca: OCSPGet: request is empty")
	}
	return callRaw(ctx, c, call{
		op:     "OCSPGet",
		method: http.MethodGet,
		path:   storePath(caStoreID) + "/ocsp/" + base64.RawURLEncoding.EncodeToString(derRequest),
		public: true,
	})
}
