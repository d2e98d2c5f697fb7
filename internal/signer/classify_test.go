package signer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/pca"
)

func apiError(status int, msg string) *pca.Error {
	return &pca.Error{Op: "IssueWithTemplate", HTTPStatus: status, ResultCode: -1, ResultMessage: msg}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantKind   string // "permanent", "retryable", "issuer"
		wantReason string
		wantIn     string
	}{
		{"token-refused-is-credentials-rejected", &pca.TokenError{HTTPStatus: 401, Err: errors.New("invalid client")}, "issuer", v1alpha1.ReasonCredentialsRejected, "appkey"},
		{"token-bad-request-is-credentials-rejected", &pca.TokenError{HTTPStatus: 400, Err: errors.New("bad secret")}, "issuer", v1alpha1.ReasonCredentialsRejected, "secret"},
		{"http-401-is-credentials-rejected", apiError(401, "token expired"), "issuer", v1alpha1.ReasonCredentialsRejected, "appkey"},
		{"http-403-is-credentials-rejected-for-role", apiError(403, "forbidden"), "issuer", v1alpha1.ReasonCredentialsRejected, "ADMIN"},
		{"http-404-is-template-not-found", apiError(404, "template not found"), "issuer", v1alpha1.ReasonTemplateNotFound, "templateId"},
		{"wrapped-http-404-is-template-not-found", fmt.Errorf("issue: %w", apiError(404, "no store")), "issuer", v1alpha1.ReasonTemplateNotFound, "caStoreId"},
		{"http-400-is-refused-with-result-message", apiError(400, "IP SANs are not allowed"), "permanent", v1alpha1.ReasonRefused, "IP SANs are not allowed"},
		{"http-409-is-refused", apiError(409, "conflict"), "permanent", v1alpha1.ReasonRefused, "conflict"},
		{"http-422-is-refused", apiError(422, "ttl over maxTTL"), "permanent", v1alpha1.ReasonRefused, "ttl over maxTTL"},
		{"http-400-without-message-names-the-status", apiError(400, ""), "permanent", v1alpha1.ReasonRefused, "HTTP 400"},
		{"http-500-is-retryable", apiError(500, "internal"), "retryable", "", "internal"},
		{"http-429-is-retryable", apiError(429, "slow down"), "retryable", "", "slow down"},
		{"http-408-is-retryable", apiError(408, "timeout"), "retryable", "", "timeout"},
		{"failure-under-http-200-is-retryable", apiError(200, "odd"), "retryable", "", "odd"},
		{"token-endpoint-unreachable-is-retryable", &pca.TokenError{Err: errors.New("dial tcp: refused")}, "retryable", "", "refused"},
		{"token-endpoint-5xx-is-retryable", &pca.TokenError{HTTPStatus: 503, Err: errors.New("unavailable")}, "retryable", "", "unavailable"},
		{"network-error-is-retryable", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, "retryable", "", "connection refused"},
		{"deadline-is-retryable", context.DeadlineExceeded, "retryable", "", "deadline"},
		{"unknown-error-is-retryable", errors.New("something odd"), "retryable", "", "something odd"},
		{"redirect-elsewhere-is-endpoint-refused", &url.Error{Op: "Post", URL: "https://pca", Err: &pca.EndpointError{Err: errors.New("redirected to evil")}}, "issuer", v1alpha1.ReasonEndpointRefused, "redirected to evil"},
		{"refused-dial-is-endpoint-refused", &net.OpError{Op: "dial", Err: &pca.EndpointError{Err: errors.New("refusing to dial 169.254.169.254")}}, "issuer", v1alpha1.ReasonEndpointRefused, "169.254.169.254"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Classify(tt.err)
			if kind := kindOf(got); kind != tt.wantKind {
				t.Fatalf("Classify(%v) = %v (%T), kind %q, want %q", tt.err, got, got, kind, tt.wantKind)
			}
			if r := reasonOf(got); r != tt.wantReason {
				t.Errorf("reason = %q, want %q", r, tt.wantReason)
			}
			if !strings.Contains(got.Error(), tt.wantIn) {
				t.Errorf("error %q does not say %q", got, tt.wantIn)
			}
			if !errors.Is(got, tt.err) {
				t.Errorf("Classify(%v) does not wrap the original error", tt.err)
			}
		})
	}
}

func TestClassifyKeepsClassifiedErrors(t *testing.T) {
	for _, err := range []error{
		nil,
		&PermanentError{Reason: v1alpha1.ReasonNoNames, Message: "m"},
		&RetryableError{Err: errors.New("r")},
		&IssuerError{Reason: v1alpha1.ReasonTemplateNotFound, Message: "m"},
		fmt.Errorf("wrapped: %w", &RetryableError{Err: errors.New("r")}),
	} {
		if got := Classify(err); got != err {
			t.Errorf("Classify(%v) = %v, want it unchanged", err, got)
		}
	}
}

func TestErrorKindsUnwrap(t *testing.T) {
	cause := errors.New("cause")
	for _, err := range []error{
		&PermanentError{Reason: "R", Message: "m", Err: cause},
		&RetryableError{Err: cause},
		&IssuerError{Reason: "R", Message: "m", Err: cause},
	} {
		if !errors.Is(err, cause) || !strings.Contains(err.Error(), "cause") {
			t.Errorf("%T: errors.Is %v, message %q: want the cause unwrapped and named", err, errors.Is(err, cause), err)
		}
	}
	if got := (&PermanentError{Message: "only message"}).Error(); got != "only message" {
		t.Errorf("PermanentError without cause = %q, want the message alone", got)
	}
}

// kindOf names the kind of err; exactly one kind must match.
func kindOf(err error) string {
	var kinds []string
	if IsPermanent(err) {
		kinds = append(kinds, "permanent")
	}
	if IsRetryable(err) {
		kinds = append(kinds, "retryable")
	}
	if IsIssuerError(err) {
		kinds = append(kinds, "issuer")
	}
	return strings.Join(kinds, "+")
}

func reasonOf(err error) string {
	var p *PermanentError
	var i *IssuerError
	switch {
	case errors.As(err, &p):
		return p.Reason
	case errors.As(err, &i):
		return i.Reason
	}
	return ""
}
