package signer

import "errors"

// RetryableError means the same request may succeed later: the controller
// keeps the CertificateRequest Pending and tries again within its retry
// window, after which the request fails.
type RetryableError struct {
	// Err is the underlying error; never nil when built by this package.
	Err error
}

// Error returns the underlying error's message.
func (e *RetryableError) Error() string {
	if e.Err == nil {
		return "retryable error"
	}
	return e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *RetryableError) Unwrap() error { return e.Err }

// IsRetryable reports whether err's chain holds a *RetryableError.
func IsRetryable(err error) bool {
	var r *RetryableError
	return errors.As(err, &r)
}
