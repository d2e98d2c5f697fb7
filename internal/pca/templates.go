package pca

import (
	"context"
	"net/http"
)

func templatePath(caStoreID, templateID int64) string {
	return storePath(caStoreID) + "/templates/" + id(templateID)
}

// ListTemplates returns one page of a store's templates (GET
// /ca-stores/{caStoreId}/templates, VIEWER); opts.Search matches the name.
// Errors: as GetStore, plus an error for a negative page or size.
func (c *Client) ListTemplates(ctx context.Context, caStoreID int64, opts ListOptions) (*TemplateList, error) {
	q, err := listQuery(opts)
	if err != nil {
		return nil, err
	}
	return callJSON[TemplateList](ctx, c, call{op: "ListTemplates", method: http.MethodGet, path: storePath(caStoreID) + "/templates", query: q}, nil)
}

// GetTemplate returns a template's detail (GET
// /ca-stores/{caStoreId}/templates/{templateId}, VIEWER). Errors: *Error
// for an API failure (IsNotFound for an unknown store or template),
// *TokenError when no token could be had, a transport error otherwise.
func (c *Client) GetTemplate(ctx context.Context, caStoreID, templateID int64) (*Template, error) {
	return callJSON[Template](ctx, c, call{op: "GetTemplate", method: http.MethodGet, path: templatePath(caStoreID, templateID)}, nil)
}

// CreateTemplate creates a template under the issuer certificate
// req.ParentCertID (POST /ca-stores/{caStoreId}/templates, ADMIN).
// Errors: as GetTemplate.
func (c *Client) CreateTemplate(ctx context.Context, caStoreID int64, req TemplateRequest) (*TemplateCreated, error) {
	return callJSON[TemplateCreated](ctx, c, call{op: "CreateTemplate", method: http.MethodPost, path: storePath(caStoreID) + "/templates"}, req)
}

// ModifyTemplate replaces a template's settings (PUT
// /ca-stores/{caStoreId}/templates/{templateId}, ADMIN; body as create).
// Errors: as GetTemplate.
func (c *Client) ModifyTemplate(ctx context.Context, caStoreID, templateID int64, req TemplateRequest) error {
	_, err := callJSON[bool](ctx, c, call{op: "ModifyTemplate", method: http.MethodPut, path: templatePath(caStoreID, templateID)}, req)
	return err
}

// DeleteTemplate deletes a template (DELETE
// /ca-stores/{caStoreId}/templates/{templateId}, ADMIN). Errors: as
// GetTemplate.
func (c *Client) DeleteTemplate(ctx context.Context, caStoreID, templateID int64) error {
	_, err := callJSON[bool](ctx, c, call{op: "DeleteTemplate", method: http.MethodDelete, path: templatePath(caStoreID, templateID)}, nil)
	return err
}

// IssueWithTemplate issues a leaf certificate with a template (POST
// /ca-stores/{caStoreId}/templates/{templateId}/certificates, ADMIN) and
// returns its detail: certificatePem and chainCertificatePem as PEM (for
// format PEM). The API has no idempotency key: every successful call issues
// a new certificate, so a caller must not retry blindly after the answer was
// lost. Errors: as GetTemplate; a template that refuses the CSR is an
// *Error with HTTP 400.
func (c *Client) IssueWithTemplate(ctx context.Context, caStoreID, templateID int64, req IssueRequest) (*Certificate, error) {
	return callJSON[Certificate](ctx, c, call{op: "IssueWithTemplate", method: http.MethodPost, path: templatePath(caStoreID, templateID) + "/certificates"}, req)
}
