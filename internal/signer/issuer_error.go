package signer

import "errors"

// Reasons of an IssuerError; they double as the issuer's Ready condition
// reasons.
const (
	// ReasonCredentialsRejected: the token endpoint refused the User Access
	// Key, or the PCA answered HTTP 401 or 403.
	ReasonCredentialsRejected = "CredentialsRejected"
	// ReasonTemplateNotFound: the PCA answered HTTP 404: the CA store or the
	// template is gone.
	ReasonTemplateNotFound = "TemplateNotFound"
	// ReasonEndpointRefused: the PCA endpoint redirected elsewhere, resolved
	// to an address the manager does not dial, or answered more than any
	// real answer holds.
	ReasonEndpointRefused = "EndpointRefused"
)

// IssuerError means the issuer is not usable right now (credentials refused,
// store or template gone): the controller marks the issuer not Ready and
// keeps the CertificateRequest Pending until the issuer is fixed.
type IssuerError struct {
	// Reason is a CamelCase word naming the cause, one of the Reason
	// constants of this file.
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
