package emulator

import (
	"fmt"
	"net/http"
)

// apiPrefix starts every API path (docs/pca-api.md, Endpoints).
const apiPrefix = "/v2.0/appkeys/{appkey}/ca-stores"

// apiHandler is one API endpoint: it gets the authorized caller and returns
// the envelope's body (or a rawBody to send as is) or an error to answer.
type apiHandler func(r *http.Request, caller AccessKey) (any, error)

// publicHandler is a public endpoint (CRL files, OCSP): no token
// (docs/pca-api.md, A9).
type publicHandler func(r *http.Request) (any, error)

// rawBody is an answer sent without the envelope: downloads, CRL files and
// OCSP responses.
type rawBody struct {
	contentType string
	// filename, when set, becomes Content-Disposition: attachment.
	filename string
	data     []byte
}

// routes builds the HTTP handler: the token endpoint, the API endpoints
// behind faults and auth, the public CRL and OCSP endpoints, the admin
// route when enabled, and an enveloped 404/405 for everything else. Each
// route counts its requests under an Op* name. A panicking handler answers
// 500 (recoverPanics).
func (e *Emulator) routes(adminToken string) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /oauth2/token/create", e.counted(OpToken, e.withFaults(http.HandlerFunc(e.handleToken), failOAuth)))

	api := func(pattern, op string, h apiHandler) {
		mux.Handle(pattern, e.counted(op, e.withFaults(e.withAuth(op, h), failEnvelope)))
	}
	public := func(pattern, op string, h publicHandler) {
		mux.Handle(pattern, e.counted(op, e.withoutAuth(h)))
	}
	api("GET "+apiPrefix, OpListStores, e.listStores)
	api("POST "+apiPrefix, OpCreateStore, e.createStore)
	api("GET "+apiPrefix+"/{caStoreId}", OpGetStore, e.getStore)
	api("PUT "+apiPrefix+"/{caStoreId}", OpModifyStore, e.modifyStore)
	api("DELETE "+apiPrefix+"/{caStoreId}", OpDeleteStore, e.deleteStore)

	api("GET "+apiPrefix+"/{caStoreId}/certs", OpListCertificates, e.listCerts)
	api("POST "+apiPrefix+"/{caStoreId}/certs", OpIssueIssuerCertificate, e.createIssuerCert)
	api("GET "+apiPrefix+"/{caStoreId}/certs/{certId}", OpGetCertificate, e.getCert)
	api("POST "+apiPrefix+"/{caStoreId}/certs/{certId}/revoke", OpRevokeCertificate, e.revokeCert)
	api("GET "+apiPrefix+"/{caStoreId}/certs/{certId}/download", OpDownloadCertificate, e.downloadCert)

	api("GET "+apiPrefix+"/{caStoreId}/certs/{certId}/crl", OpGetCRLInfo, e.getCRLInfo)
	api("POST "+apiPrefix+"/{caStoreId}/certs/{certId}/crl", OpRenewCRL, e.renewCRL)
	public("GET "+apiPrefix+"/{caStoreId}/certs/{certId}/crl/der", OpDownloadCRL, e.downloadCRL(true))
	public("GET "+apiPrefix+"/{caStoreId}/certs/{certId}/crl/pem", OpDownloadCRL, e.downloadCRL(false))
	public("POST "+apiPrefix+"/{caStoreId}/ocsp", OpOCSP, e.ocspPost)
	public("GET "+apiPrefix+"/{caStoreId}/ocsp/{req...}", OpOCSP, e.ocspGet)

	api("GET "+apiPrefix+"/{caStoreId}/templates", OpListTemplates, e.listTemplates)
	api("POST "+apiPrefix+"/{caStoreId}/templates", OpCreateTemplate, e.createTemplate)
	api("GET "+apiPrefix+"/{caStoreId}/templates/{templateId}", OpGetTemplate, e.getTemplate)
	api("PUT "+apiPrefix+"/{caStoreId}/templates/{templateId}", OpModifyTemplate, e.modifyTemplate)
	api("DELETE "+apiPrefix+"/{caStoreId}/templates/{templateId}", OpDeleteTemplate, e.deleteTemplate)
	api("POST "+apiPrefix+"/{caStoreId}/templates/{templateId}/certificates", OpIssueWithTemplate, e.issueWithTemplate)

	if adminToken != "" {
		e.adminRoutes(mux, adminToken)
	}
	mux.Handle("/", fallback(mux))
	return recoverPanics(mux)
}

// counted counts a request under op, then runs h.
func (e *Emulator) counted(op string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.calls.add(op)
		h.ServeHTTP(w, r)
	})
}

// withAuth checks the caller (authority.authorize), runs h and writes the
// answer. For IssueWithTemplate it then applies Faults.FailAfterIssueRate.
func (e *Emulator) withAuth(op string, h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		caller, err := e.auth.authorize(r)
		if err != nil {
			writeError(w, err)
			return
		}
		body, err := h(r, caller)
		if err != nil {
			writeError(w, err)
			return
		}
		if f := e.faults.get(); op == OpIssueWithTemplate && chance(f.FailAfterIssueRate) {
			if f.FailAfterIssueStatus == 0 {
				dropConnection(w)
				return
			}
			failEnvelope(w, f.FailAfterIssueStatus)
			return
		}
		writeBody(w, body)
	})
}

// withoutAuth runs a public handler and writes the answer.
func (e *Emulator) withoutAuth(h publicHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := h(r)
		if err != nil {
			writeError(w, err)
			return
		}
		writeBody(w, body)
	})
}

// writeBody writes a rawBody as is and anything else in the success
// envelope.
func writeBody(w http.ResponseWriter, body any) {
	raw, ok := body.(rawBody)
	if !ok {
		writeOK(w, body)
		return
	}
	w.Header().Set("Content-Type", raw.contentType)
	if raw.filename != "" {
		w.Header().Set("Content-Disposition", "attachment; filename="+raw.filename)
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(raw.data) // the client went away; nothing to do
}

// fallback is the mux's "/" route: requests no other route takes get an
// error envelope, 405 when the path exists under another method, else 404
// (docs/pca-api.md, A2).
func fallback(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "/" {
				writeFailure(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s is not allowed on %s", r.Method, r.URL.Path))
				return
			}
		}
		writeFailure(w, http.StatusNotFound, "no endpoint "+r.Method+" "+r.URL.Path)
	})
}
