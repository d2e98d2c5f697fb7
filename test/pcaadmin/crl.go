package pcaadmin

import (
	"context"
	"net/http"

	"github.com/nhnpca/pca-issuer/internal/pca"
)

// RenewCRL makes the API re-issue the CRL of an issuer certificate now
// (POST /ca-stores/{caStoreId}/certs/{issuerCertId}/crl, ADMIN). Errors:
// as pca.Client.GetCRLInfo.
func (c *Client) RenewCRL(ctx context.Context, caStoreID, issuerCertID int64) error {
	_, err := callJSON[bool](ctx, c, pca.Request{Op: "RenewCRL", Method: http.MethodPost, Path: certPath(caStoreID, issuerCertID) + "/crl"})
	return err
}
