package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// writeJSON writes v as a JSON answer with the given HTTP status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client went away; nothing to do
}

// writeOK writes the success envelope around body: resultCode 0, "SUCCESS".
func writeOK(w http.ResponseWriter, body any) {
	writeJSON(w, http.StatusOK, wire.Envelope[any]{
		Header: wire.Header{ResultCode: 0, ResultMessage: "SUCCESS", IsSuccessful: true},
		Body:   body,
	})
}

// writeError writes the failure envelope of err, with the status statusOf
// gives it.
func writeError(w http.ResponseWriter, err error) {
	writeFailure(w, statusOf(err), err.Error())
}

// statusOf is the HTTP status of an error a rule returned
// (docs/pca-api.md, Envelope and errors): by its failure for a ruleError,
// 500 for anything else.
func statusOf(err error) int {
	var re *ruleError
	if !errors.As(err, &re) {
		return http.StatusInternalServerError
	}
	switch re.failure {
	case refused:
		return http.StatusBadRequest
	case unauthenticated:
		return http.StatusUnauthorized
	case forbidden:
		return http.StatusForbidden
	case notFound:
		return http.StatusNotFound
	case conflict:
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

// writeFailure writes the failure envelope: resultCode is the status times
// 100 (docs/pca-api.md, A1), the message, and a null body.
func writeFailure(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, wire.Envelope[any]{
		Header: wire.Header{ResultCode: status * 100, ResultMessage: msg, IsSuccessful: false},
	})
}

// maxRequestBody caps a JSON request body (docs/pca-api.md, A30).
const maxRequestBody = 1 << 20

// Page sizes of the list endpoints (docs/pca-api.md, A4).
const (
	defaultPageSize = 10
	maxPageSize     = 1000
)

// decodeBody reads a JSON request body of at most maxRequestBody bytes into
// dst. A malformed or too large body is a 400 naming "body", a value of the
// wrong JSON type a 400 naming its field. Unknown fields are ignored.
func decodeBody(r *http.Request, dst any) error {
	// No ResponseWriter is passed: a too large body is answered as a 400
	// like any other bad body. json.Unmarshal of the whole body refuses
	// anything after the value (docs/pca-api.md, A30).
	data, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxRequestBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return errValidation("body", "larger than %d bytes", maxRequestBody)
	}
	if err != nil {
		return errValidation("body", "cannot be read: %v", err)
	}
	// encoding/json takes null for an empty object; the API wants one.
	if trimmed := bytes.TrimSpace(data); len(trimmed) == 0 || string(trimmed) == "null" {
		return errValidation("body", "a JSON object is required")
	}
	// encoding/json would replace bad bytes with U+FFFD and carry on, into
	// names and subjects; JSON text is UTF-8 (RFC 8259 8.1).
	if !utf8.Valid(data) {
		return errValidation("body", "not valid UTF-8")
	}
	var typeErr *json.UnmarshalTypeError
	switch err := json.Unmarshal(data, dst); {
	case err == nil:
		return nil
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return errValidation("body", "a JSON object is required, got a JSON %s", typeErr.Value)
	case errors.As(err, &typeErr):
		return errValidation(typeErr.Field, "expected a JSON %s, got %s", typeErr.Type, typeErr.Value)
	default:
		return errValidation("body", "not valid JSON: %v", err)
	}
}

// pathID reads a numeric id from the path (caStoreId, certId,
// templateId); anything but a positive integer is refused naming it
// (docs/pca-api.md, A26).
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errValidation(name, "a positive integer, got %q", r.PathValue(name))
	}
	return id, nil
}

// listOptions reads page, size and search from the query (docs/pca-api.md,
// Paging; A4).
func listOptions(r *http.Request) (wire.ListOptions, error) {
	q := r.URL.Query()
	opts := wire.ListOptions{Size: defaultPageSize, Search: q.Get("search")}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return opts, errValidation("page", "a number from 0, got %q", v)
		}
		opts.Page = n
	}
	if v := q.Get("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			return opts, errValidation("size", "a number from 1 to %d, got %q", maxPageSize, v)
		}
		opts.Size = n
	}
	return opts, nil
}
