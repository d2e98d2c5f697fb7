package pcaadmin

import (
	"context"
	"net/http"

	"github.com/nhnpca/pca-issuer/internal/pca"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// IssueIssuerCertificate issues a ROOT or INTERMEDIATE certificate whose key
// the server makes and keeps (POST /ca-stores/{caStoreId}/certs, ADMIN).
// Errors: as pca.Client.GetCertificate.
func (c *Client) IssueIssuerCertificate(ctx context.Context, caStoreID int64, req wire.IssuerCertRequest) (*wire.Certificate, error) {
	return callJSON[wire.Certificate](ctx, c, pca.Request{Op: "IssueIssuerCertificate", Method: http.MethodPost, Path: storePath(caStoreID) + "/certs", Body: req})
}

// DownloadCertificate returns one certificate as raw PEM bytes (GET
// /ca-stores/{caStoreId}/certs/{certId}/download, VIEWER;
// application/x-pem-file). Errors: as pca.Client.GetCertificate.
func (c *Client) DownloadCertificate(ctx context.Context, caStoreID, certID int64) ([]byte, error) {
	return c.Call(ctx, pca.Request{Op: "DownloadCertificate", Method: http.MethodGet, Path: certPath(caStoreID, certID) + "/download", Download: true})
}
