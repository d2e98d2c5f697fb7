package pca

import (
	"context"
	"net/http"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// templatePath is the escaped path of one template below Client.root.
func templatePath(caStoreID, templateID int64) string {
	return storePath(caStoreID) + "/templates/" + id(templateID)
}

// GetTemplate returns a template's detail (GET
// /ca-stores/{caStoreId}/templates/{templateId}, VIEWER). Errors: *Error
// for an API failure (IsNotFound for an unknown store or template),
// *TokenError when no token could be had, a transport error otherwise.
func (c *Client) GetTemplate(ctx context.Context, caStoreID, templateID int64) (*wire.Template, error) {
	return callJSON[wire.Template](ctx, c, call{op: "GetTemplate", method: http.MethodGet, path: templatePath(caStoreID, templateID)}, nil)
}

// IssueWithTemplate issues a leaf certificate with a template (POST
// /ca-stores/{caStoreId}/templates/{templateId}/certificates, ADMIN) and
// returns its detail: certificatePem and chainCertificatePem as PEM (for
// format PEM). The API has no idempotency key: every successful call issues
// a new certificate, so a caller must not retry blindly after the answer was
// lost. Errors: as GetTemplate; a template that refuses the CSR is an
// *Error with HTTP 400.
func (c *Client) IssueWithTemplate(ctx context.Context, caStoreID, templateID int64, req wire.IssueRequest) (*wire.Certificate, error) {
	return callJSON[wire.Certificate](ctx, c, call{op: "IssueWithTemplate", method: http.MethodPost, path: templatePath(caStoreID, templateID) + "/certificates"}, req)
}
