package signer

import "errors"

// PermanentError means the CertificateRequest can never succeed as it is:
// the controller marks it Failed and does not retry.
type PermanentError struct {
	// Reason is a CamelCase word naming the cause, one of the request
	// failure reasons of api/v1alpha1.
	Reason string
	// Message says what is wrong and what the user must change.
	Message string
	// Err is the underlying error, if any.
	Err error
}

// Error returns Message, followed by the underlying error when there is one.
func (e *PermanentError) Error() string {
	if e.Err == nil {
		return e.Message
	}
	return e.Message + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *PermanentError) Unwrap() error { return e.Err }

// IsPermanent reports whether err's chain holds a *PermanentError.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// permanent builds a *PermanentError.
func permanent(reason, message string, err error) *PermanentError {
	return &PermanentError{Reason: reason, Message: message, Err: err}
}
