package pcaadmin

import (
	"context"
	"net/http"

	"github.com/nhnpca/pca-issuer/internal/pca"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// CreateStore creates a CA store (POST /ca-stores, ADMIN) and returns the
// subset the API answers: id, name, toastProjectId, status and the audit
// fields. Errors: as pca.Client.GetStore.
func (c *Client) CreateStore(ctx context.Context, req wire.StoreRequest) (*wire.Store, error) {
	return callJSON[wire.Store](ctx, c, pca.Request{Op: "CreateStore", Method: http.MethodPost, Body: req})
}

// ModifyStore replaces a store's settings (PUT /ca-stores/{caStoreId},
// ADMIN; body as create) and returns id, name, toastProjectId and status.
// Errors: as pca.Client.GetStore.
func (c *Client) ModifyStore(ctx context.Context, caStoreID int64, req wire.StoreRequest) (*wire.Store, error) {
	return callJSON[wire.Store](ctx, c, pca.Request{Op: "ModifyStore", Method: http.MethodPut, Path: storePath(caStoreID), Body: req})
}

// DeleteStore deletes a store (DELETE /ca-stores/{caStoreId}, ADMIN) and
// returns id, name, toastProjectId and status DELETED. Errors: as
// pca.Client.GetStore.
func (c *Client) DeleteStore(ctx context.Context, caStoreID int64) (*wire.Store, error) {
	return callJSON[wire.Store](ctx, c, pca.Request{Op: "DeleteStore", Method: http.MethodDelete, Path: storePath(caStoreID)})
}
