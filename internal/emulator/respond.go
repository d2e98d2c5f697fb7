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

// writeError writes the failure envelope: the error's status and code, its
// message and a null body.
func writeError(w http.ResponseWriter, err *apiError) {
	writeJSON(w, err.Status, wire.Envelope[any]{
		Header: wire.Header{ResultCode: err.Code, ResultMessage: err.Message, IsSuccessful: false},
	})
}

// decodeBody reads a JSON request body of at most maxRequestBody bytes into
// dst. A malformed or too large body is a 400 naming "body", a value of the
// wrong JSON type a 400 naming its field. Unknown fields are ignored.
func decodeBody(r *http.Request, dst any) *apiError {
	// No ResponseWriter is passed: a too large body is answered as a 400
	// like any other bad body. The body is read whole and then decoded, which
	// is cheaper than a json.Decoder's growing reads for a body this small,
	// and refuses anything after the value.
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
// templateId); anything but a positive integer is a 400 naming it.
func pathID(r *http.Request, name string) (int64, *apiError) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errValidation(name, "a positive integer, got %q", r.PathValue(name))
	}
	return id, nil
}

// listOptions reads page (from 0), size (default 10, at most 1000) and
// search from the query.
func listOptions(r *http.Request) (wire.ListOptions, *apiError) {
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
