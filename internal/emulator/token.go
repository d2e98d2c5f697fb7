package emulator

import (
	"net/http"
	"strconv"
)

// oauthError is the error body of the token endpoint (RFC 6749 5.2).
type oauthError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description,omitempty"`
}

// handleToken is POST /oauth2/token/create: HTTP Basic access key ID and
// secret, form grant_type=client_credentials, answered with a bare JSON
// token (no envelope). Bad credentials answer 401 invalid_client, another
// grant type 400 unsupported_grant_type (docs/pca-api.md, A8).
func (e *Emulator) handleToken(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="pca-emulator"`)
		writeJSON(w, http.StatusUnauthorized, oauthError{"invalid_client", "HTTP Basic authentication with the access key ID and secret is required"})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxRequestBody)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, oauthError{"invalid_request", err.Error()})
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, oauthError{"unsupported_grant_type", "grant_type must be client_credentials, got " + strconv.Quote(gt)})
		return
	}
	tok, ok, err := e.auth.issueToken(id, secret)
	switch {
	case err != nil:
		writeJSON(w, http.StatusInternalServerError, oauthError{"server_error", err.Error()})
	case !ok:
		w.Header().Set("WWW-Authenticate", `Basic realm="pca-emulator"`)
		writeJSON(w, http.StatusUnauthorized, oauthError{"invalid_client", "unknown access key ID or wrong secret"})
	default:
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, tok)
	}
}
