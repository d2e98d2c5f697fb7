package emulator

import (
	"net/http"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// listStores is GET /ca-stores (VIEWER).
func (e *Emulator) listStores(r *http.Request, _ AccessKey) (any, *apiError) {
	opts, err := listOptions(r)
	if err != nil {
		return nil, err
	}
	return e.svc.ListStores(opts)
}

// createStore is POST /ca-stores (ADMIN).
func (e *Emulator) createStore(r *http.Request, caller AccessKey) (any, *apiError) {
	var req wire.StoreRequest
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	return e.svc.CreateStore(caller.ID, req)
}

// getStore is GET /ca-stores/{caStoreId} (VIEWER).
func (e *Emulator) getStore(r *http.Request, _ AccessKey) (any, *apiError) {
	id, err := pathID(r, "caStoreId")
	if err != nil {
		return nil, err
	}
	return e.svc.GetStore(id)
}

// modifyStore is PUT /ca-stores/{caStoreId} (ADMIN).
func (e *Emulator) modifyStore(r *http.Request, caller AccessKey) (any, *apiError) {
	id, err := pathID(r, "caStoreId")
	if err != nil {
		return nil, err
	}
	var req wire.StoreRequest
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	return e.svc.ModifyStore(caller.ID, id, req)
}

// deleteStore is DELETE /ca-stores/{caStoreId} (ADMIN).
func (e *Emulator) deleteStore(r *http.Request, caller AccessKey) (any, *apiError) {
	id, err := pathID(r, "caStoreId")
	if err != nil {
		return nil, err
	}
	return e.svc.DeleteStore(caller.ID, id)
}
