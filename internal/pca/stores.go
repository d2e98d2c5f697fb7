package pca

import (
	"context"
	"net/http"
)

// ListStores returns one page of the appkey's CA stores (GET /ca-stores,
// VIEWER); opts.Search matches store name or description. Errors: as
// GetStore, plus an error for a negative page or size.
func (c *Client) ListStores(ctx context.Context, opts ListOptions) (*StoreList, error) {
	q, err := listQuery(opts)
	if err != nil {
		return nil, err
	}
	return callJSON[StoreList](ctx, c, call{op: "ListStores", method: http.MethodGet, query: q}, nil)
}

// GetStore returns one CA store (GET /ca-stores/{caStoreId}, VIEWER).
// Errors: *Error for an API failure (IsNotFound for an unknown id),
// *TokenError when no token could be had, a transport error otherwise.
func (c *Client) GetStore(ctx context.Context, caStoreID int64) (*Store, error) {
	return callJSON[Store](ctx, c, call{op: "GetStore", method: http.MethodGet, path: storePath(caStoreID)}, nil)
}

// CreateStore creates a CA store (POST /ca-stores, ADMIN) and returns the
// subset the API answers: id, name, toastProjectId, status and the audit
// fields. Errors: as GetStore.
func (c *Client) CreateStore(ctx context.Context, req StoreRequest) (*Store, error) {
	return callJSON[Store](ctx, c, call{op: "CreateStore", method: http.MethodPost}, req)
}

// ModifyStore replaces a store's settings (PUT /ca-stores/{caStoreId},
// ADMIN; body as create) and returns id, name, toastProjectId and status.
// Errors: as GetStore.
func (c *Client) ModifyStore(ctx context.Context, caStoreID int64, req StoreRequest) (*Store, error) {
	return callJSON[Store](ctx, c, call{op: "ModifyStore", method: http.MethodPut, path: storePath(caStoreID)}, req)
}

// DeleteStore deletes a store (DELETE /ca-stores/{caStoreId}, ADMIN) and
// returns id, name, toastProjectId and status DELETED. Errors: as GetStore.
func (c *Client) DeleteStore(ctx context.Context, caStoreID int64) (*Store, error) {
	return callJSON[Store](ctx, c, call{op: "DeleteStore", method: http.MethodDelete, path: storePath(caStoreID)}, nil)
}
