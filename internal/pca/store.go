package pca

import (
	"context"
	"net/http"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// storePath is the escaped path of one store below Client.root.
func storePath(caStoreID int64) string { return "/" + id(caStoreID) }

// ListStores returns one page of the appkey's CA stores (GET /ca-stores,
// VIEWER); opts.Search matches store name or description. The issuer asks
// for it to tell a wrong spec.url from a wrong store id. Errors: as
// GetStore, plus an error for a negative page or size.
func (c *Client) ListStores(ctx context.Context, opts wire.ListOptions) (*wire.StoreList, error) {
	q, err := listQuery(opts)
	if err != nil {
		return nil, err
	}
	return callJSON[wire.StoreList](ctx, c, call{op: "ListStores", method: http.MethodGet, query: q}, nil)
}

// GetStore returns one CA store (GET /ca-stores/{caStoreId}, VIEWER).
// Errors: *Error for an API failure (IsNotFound for an unknown id),
// *TokenError when no token could be had, a transport error otherwise.
func (c *Client) GetStore(ctx context.Context, caStoreID int64) (*wire.Store, error) {
	return callJSON[wire.Store](ctx, c, call{op: "GetStore", method: http.MethodGet, path: storePath(caStoreID)}, nil)
}
