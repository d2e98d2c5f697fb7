package pca

import (
	"context"
	"errors"
	"net/http"
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
		contentType: "application/ocsp-request",
		public:      true,
	})
}
