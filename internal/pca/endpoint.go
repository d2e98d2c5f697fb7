package pca

import (
	"errors"
	"fmt"
	"net/http"
)

// maxRedirects is how many same-host redirects one exchange follows.
const maxRedirects = 3

// EndpointError is an answer or a connection that the client refuses to
// use because of where it leads or what it costs, whatever the endpoint
// says: a redirect to another host or scheme, an answer larger than any
// real one, or an address the manager may not dial. The endpoint's
// configuration must change; the same call is not retried
// (docs/security.md, "Endpoints").
type EndpointError struct {
	// Err says what was refused.
	Err error
}

// Error returns the refusal.
func (e *EndpointError) Error() string { return e.Err.Error() }

// Unwrap returns the refusal.
func (e *EndpointError) Unwrap() error { return e.Err }

// IsEndpointError reports an *EndpointError in err's chain.
func IsEndpointError(err error) bool {
	var e *EndpointError
	return errors.As(err, &e)
}

// guardRedirects returns a copy of hc that follows at most maxRedirects
// redirects, all to the same scheme and host as the request it was given.
// A redirect elsewhere would carry the token header (X-NHN-AUTHORIZATION,
// which net/http does not strip) to a host nobody configured; it is refused
// with an *EndpointError and its body is never read.
func guardRedirects(hc *http.Client) *http.Client {
	guarded := *hc
	guarded.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		first := via[0].URL
		if req.URL.Host != first.Host || req.URL.Scheme != first.Scheme {
			return &EndpointError{Err: fmt.Errorf("redirected from %s://%s to %s://%s: a redirect to another host or scheme is not followed; point the issuer's url or tokenURL at the final address",
				first.Scheme, first.Host, req.URL.Scheme, req.URL.Host)}
		}
		if len(via) >= maxRedirects {
			return &EndpointError{Err: fmt.Errorf("more than %d redirects from %s", maxRedirects, first.Redacted())}
		}
		return nil
	}
	return &guarded
}
