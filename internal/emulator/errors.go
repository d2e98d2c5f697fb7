package emulator

import (
	"errors"
	"fmt"
)

// failure is what went wrong with a call, in the API's terms. The rules
// return it inside a ruleError; statusOf (respond.go) is the one place that
// turns it into an HTTP status.
type failure int

const (
	// refused: a request field is invalid; the message starts with it.
	refused failure = iota + 1
	// unauthenticated: no, bad or expired token, or an unknown appkey.
	unauthenticated
	// forbidden: the access key's role may not make the call.
	forbidden
	// notFound: an id in the path names nothing.
	notFound
	// conflict: the request is valid but the state forbids it.
	conflict
)

// ruleError is a call the API's rules refuse. Any other error a rule
// returns is a failure of the emulator itself (storage, crypto).
type ruleError struct {
	failure failure
	msg     string
}

// Error returns the message the error envelope carries.
func (e *ruleError) Error() string { return e.msg }

// errValidation refuses a request field; the message starts with the field,
// e.g. "name: at most 64 characters".
func errValidation(field, format string, args ...any) error {
	return &ruleError{refused, field + ": " + fmt.Sprintf(format, args...)}
}

// errNotFound is an unknown id of a kind ("ca-store", "certificate", ...).
func errNotFound(kind string, id int64) error {
	return &ruleError{notFound, fmt.Sprintf("%s %d not found", kind, id)}
}

// errConflict refuses a valid request that the current state forbids.
func errConflict(format string, args ...any) error {
	return &ruleError{conflict, fmt.Sprintf(format, args...)}
}

// isNotFound reports whether err is a notFound ruleError.
func isNotFound(err error) bool {
	var re *ruleError
	return errors.As(err, &re) && re.failure == notFound
}
