package emulator

import (
	"fmt"
	"net/http"
)

// apiError is a failed call as the service layer reports it: the HTTP
// status, the envelope's resultCode and a message. Handlers turn it into the
// error envelope; nothing else is needed to answer.
type apiError struct {
	Status  int
	Code    int
	Message string
}

// Error returns the message.
func (e *apiError) Error() string { return e.Message }

// errValidation is a 400 whose message starts with the request field at
// fault, e.g. "name: at most 64 characters".
func errValidation(field, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: codeValidation, Message: field + ": " + fmt.Sprintf(format, args...)}
}

// errNotFound is a 404 for an unknown id in the path.
func errNotFound(kind string, id int64) *apiError {
	return &apiError{Status: http.StatusNotFound, Code: codeNotFound, Message: fmt.Sprintf("%s %d not found", kind, id)}
}

// errConflict is a 409: the request is valid but the state forbids it.
func errConflict(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusConflict, Code: codeConflict, Message: fmt.Sprintf(format, args...)}
}

// errUnauthorized is a 401: no, bad or expired token, or unknown appkey.
func errUnauthorized(msg string) *apiError {
	return &apiError{Status: http.StatusUnauthorized, Code: codeUnauthorized, Message: msg}
}

// errForbidden is a 403: the access key's role is too low.
func errForbidden(msg string) *apiError {
	return &apiError{Status: http.StatusForbidden, Code: codeForbidden, Message: msg}
}

// errInternal is a 500 wrapping an unexpected failure (storage, crypto).
func errInternal(op string, err error) *apiError {
	return &apiError{Status: http.StatusInternalServerError, Code: codeInternal, Message: op + ": " + err.Error()}
}
