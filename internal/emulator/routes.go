package emulator

import (
	"fmt"
	"net/http"
)

// apiPrefix starts every API path (wire contract "Endpoints and auth").
const apiPrefix = "/v2.0/appkeys/{appkey}/ca-stores"

// apiHandler is one API endpoint: it gets the authorized caller and returns
// the envelope's body or an error to answer.
type apiHandler func(r *http.Request, caller AccessKey) (any, *apiError)

// routes builds the HTTP handler: the token endpoint, the API endpoints
// behind auth, and an enveloped 404/405 for everything else.
func (e *Emulator) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth2/token/create", e.handleToken)

	api := func(pattern string, h apiHandler) {
		mux.Handle(pattern, e.withAuth(h))
	}
	api("GET "+apiPrefix, e.listStores)
	api("POST "+apiPrefix, e.createStore)
	api("GET "+apiPrefix+"/{caStoreId}", e.getStore)

	api("GET "+apiPrefix+"/{caStoreId}/certs", e.listCerts)
	api("POST "+apiPrefix+"/{caStoreId}/certs", e.createIssuerCert)
	api("GET "+apiPrefix+"/{caStoreId}/certs/{certId}", e.getCert)
	api("POST "+apiPrefix+"/{caStoreId}/certs/{certId}/revoke", e.revokeCert)

	api("GET "+apiPrefix+"/{caStoreId}/templates", e.listTemplates)
	api("POST "+apiPrefix+"/{caStoreId}/templates", e.createTemplate)
	api("GET "+apiPrefix+"/{caStoreId}/templates/{templateId}", e.getTemplate)
	api("POST "+apiPrefix+"/{caStoreId}/templates/{templateId}/certificates", e.issueWithTemplate)

	return withFallback(mux)
}

// withAuth checks the caller (authority.authorize), runs h and writes the
// envelope.
func (e *Emulator) withAuth(h apiHandler) http.Handler {
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
		writeOK(w, body)
	})
}

// withFallback answers requests no route takes with an error envelope: 405
// when the path exists under another method, else 404.
func withFallback(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "" {
				writeError(w, &apiError{Status: http.StatusMethodNotAllowed, Code: codeNotAllowed,
					Message: fmt.Sprintf("%s is not allowed on %s", r.Method, r.URL.Path)})
				return
			}
		}
		writeError(w, &apiError{Status: http.StatusNotFound, Code: codeNotFound, Message: "no endpoint " + r.Method + " " + r.URL.Path})
	})
}
