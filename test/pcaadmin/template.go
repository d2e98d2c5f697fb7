package pcaadmin

import (
	"context"
	"fmt"
	"net/http"

	"github.com/nhnpca/pca-issuer/internal/pca"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// ListTemplates returns one page of a store's templates (GET
// /ca-stores/{caStoreId}/templates, VIEWER); opts.Search matches the name.
// Errors: as pca.Client.GetTemplate, plus an error for a negative page or
// size.
func (c *Client) ListTemplates(ctx context.Context, caStoreID int64, opts wire.ListOptions) (*wire.TemplateList, error) {
	q, err := opts.Query()
	if err != nil {
		return nil, fmt.Errorf("pcaadmin: %w", err)
	}
	return callJSON[wire.TemplateList](ctx, c, pca.Request{Op: "ListTemplates", Method: http.MethodGet, Path: storePath(caStoreID) + "/templates", Query: q})
}

// CreateTemplate creates a template under the issuer certificate
// req.ParentCertID (POST /ca-stores/{caStoreId}/templates, ADMIN).
// Errors: as pca.Client.GetTemplate.
func (c *Client) CreateTemplate(ctx context.Context, caStoreID int64, req wire.TemplateRequest) (*wire.TemplateCreated, error) {
	return callJSON[wire.TemplateCreated](ctx, c, pca.Request{Op: "CreateTemplate", Method: http.MethodPost, Path: storePath(caStoreID) + "/templates", Body: req})
}

// ModifyTemplate replaces a template's settings (PUT
// /ca-stores/{caStoreId}/templates/{templateId}, ADMIN; body as create).
// Errors: as pca.Client.GetTemplate.
func (c *Client) ModifyTemplate(ctx context.Context, caStoreID, templateID int64, req wire.TemplateRequest) error {
	_, err := callJSON[bool](ctx, c, pca.Request{Op: "ModifyTemplate", Method: http.MethodPut, Path: templatePath(caStoreID, templateID), Body: req})
	return err
}

// DeleteTemplate deletes a template (DELETE
// /ca-stores/{caStoreId}/templates/{templateId}, ADMIN). Errors: as
// pca.Client.GetTemplate.
func (c *Client) DeleteTemplate(ctx context.Context, caStoreID, templateID int64) error {
	_, err := callJSON[bool](ctx, c, pca.Request{Op: "DeleteTemplate", Method: http.MethodDelete, Path: templatePath(caStoreID, templateID)})
	return err
}
