package signer

import "errors"

// IssuerError means the issuer is not usable right now (credentials refused,
// store or template gone): the controller keeps the request Pending and has
// the issuer checked again at once.
type IssuerError struct {
	// Reason is a CamelCase word naming the cause, one of the Reason
	// constants of this file (issuer Ready reasons of api/v1alpha1).
	Reason string
	// Message says what is wrong with the issuer and how to fix it.
	Message string
	// Err is the underlying error, if any.
	Err error
}

// Error returns Message, followed by the underlying error when there is one.
func (e *IssuerError) Error() string {
	if e.Err == nil {
		return e.Message
	}
	return e.Message + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *IssuerError) Unwrap() error { return e.Err }

// IsIssuerError reports whether err's chain holds an *IssuerError.
func IsIssuerError(err error) bool {
	var i *IssuerError
	return errors.As(err, &i)
}
