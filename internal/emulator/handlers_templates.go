package emulator

import (
	"net/http"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// listTemplates is GET /ca-stores/{caStoreId}/templates (VIEWER), search on
// name.
func (e *Emulator) listTemplates(r *http.Request, _ AccessKey) (any, *apiError) {
	storeID, err := pathID(r, "caStoreId")
	if err != nil {
		return nil, err
	}
	opts, err := listOptions(r)
	if err != nil {
		return nil, err
	}
	return e.svc.ListTemplates(storeID, opts)
}

// createTemplate is POST /ca-stores/{caStoreId}/templates (ADMIN).
func (e *Emulator) createTemplate(r *http.Request, caller AccessKey) (any, *apiError) {
	storeID, err := pathID(r, "caStoreId")
	if err != nil {
		return nil, err
	}
	var req wire.TemplateRequest
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	return e.svc.CreateTemplate(caller.ID, storeID, req)
}

// getTemplate is GET /ca-stores/{caStoreId}/templates/{templateId} (VIEWER).
func (e *Emulator) getTemplate(r *http.Request, _ AccessKey) (any, *apiError) {
	storeID, templateID, err := storeAndID(r, "templateId")
	if err != nil {
		return nil, err
	}
	return e.svc.GetTemplate(storeID, templateID)
}

// issueWithTemplate is POST
// /ca-stores/{caStoreId}/templates/{templateId}/certificates (ADMIN).
func (e *Emulator) issueWithTemplate(r *http.Request, caller AccessKey) (any, *apiError) {
	storeID, templateID, err := storeAndID(r, "templateId")
	if err != nil {
		return nil, err
	}
	var req wire.IssueRequest
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	return e.svc.IssueWithTemplate(caller.ID, storeID, templateID, req)
}

// modifyTemplate is PUT /ca-stores/{caStoreId}/templates/{templateId}
// (ADMIN); the body is true.
func (e *Emulator) modifyTemplate(r *http.Request, caller AccessKey) (any, *apiError) {
	storeID, templateID, err := storeAndID(r, "templateId")
	if err != nil {
		return nil, err
	}
	var req wire.TemplateRequest
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	return e.svc.ModifyTemplate(caller.ID, storeID, templateID, req)
}

// deleteTemplate is DELETE /ca-stores/{caStoreId}/templates/{templateId}
// (ADMIN); the body is true.
func (e *Emulator) deleteTemplate(r *http.Request, _ AccessKey) (any, *apiError) {
	storeID, templateID, err := storeAndID(r, "templateId")
	if err != nil {
		return nil, err
	}
	return e.svc.DeleteTemplate(storeID, templateID)
}
