package pca

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
)

// Error is a failure answered by the API: a non-2xx HTTP status, or an
// envelope whose header says isSuccessful false (even under HTTP 200).
type Error struct {
	// Op names the client call, e.g. "IssueWithTemplate".
	Op string
	// HTTPStatus is the HTTP status code of the answer.
	HTTPStatus int
	// ResultCode is the envelope's header.resultCode; 0 when the body was
	// not a JSON envelope (for example a proxy's 502 page).
	ResultCode int
	// ResultMessage is the envelope's header.resultMessage, or the start of
	// the raw body when it was not an envelope.
	ResultMessage string
}

// Error returns "pca: Op: HTTP 404 (resultCode -1): message".
func (e *Error) Error() string {
	return fmt.Sprintf("pca: %s: HTTP %d (resultCode %d): %s", e.Op, e.HTTPStatus, e.ResultCode, e.ResultMessage)
}

// StatusOf returns the HTTP status of an *Error in err's chain, or 0.
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.HTTPStatus
	}
	return 0
}

// IsNotFound reports an HTTP 404 answer: the store, certificate or template
// id is unknown.
func IsNotFound(err error) bool { return StatusOf(err) == http.StatusNotFound }

// IsUnauthorized reports an HTTP 401 answer (token missing, expired or
// revoked, or appkey unknown), or a token endpoint that refused the access
// key.
func IsUnauthorized(err error) bool {
	var te *TokenError
	return StatusOf(err) == http.StatusUnauthorized || (errors.As(err, &te) && te.Refused())
}

// IsForbidden reports an HTTP 403 answer: the access key's role is too low.
func IsForbidden(err error) bool { return StatusOf(err) == http.StatusForbidden }

// IsRetryable reports whether the same call may succeed later unchanged: a
// transport error (connection refused or reset, timeout, TLS handshake cut),
// HTTP 408, 429 or any 5xx. 4xx answers other than 408 and 429 are not
// retryable: the request or the credentials must change first. A canceled
// context and an *EndpointError are not retryable.
func IsRetryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || IsEndpointError(err) {
		return false
	}
	if s := StatusOf(err); s != 0 {
		return s == http.StatusRequestTimeout || s == http.StatusTooManyRequests || s >= 500
	}
	var te *TokenError
	if errors.As(err, &te) {
		return te.HTTPStatus == 0 || te.HTTPStatus == http.StatusTooManyRequests || te.HTTPStatus >= 500
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) || errors.As(err, new(*net.OpError))
}

// TokenError is a failure to get a User Access Key token from the token
// endpoint.
type TokenError struct {
	// HTTPStatus is the token endpoint's status, 0 when no answer came.
	HTTPStatus int
	// Err is the underlying error.
	Err error
}

// Error returns a message naming the token endpoint's answer.
func (e *TokenError) Error() string {
	if e.HTTPStatus == 0 {
		return fmt.Sprintf("pca: token: %v", e.Err)
	}
	return fmt.Sprintf("pca: token: HTTP %d: %v", e.HTTPStatus, e.Err)
}

// Unwrap returns the underlying error.
func (e *TokenError) Unwrap() error { return e.Err }

// Refused reports whether the token endpoint refused the access key ID and
// secret (HTTP 400, 401 or 403).
func (e *TokenError) Refused() bool {
	return e.HTTPStatus == http.StatusBadRequest || e.HTTPStatus == http.StatusUnauthorized || e.HTTPStatus == http.StatusForbidden
}
