package pca

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"golang.org/x/time/rate"
)

const (
	// tokenExpiryMargin: a cached token is replaced this long before its
	// expires_in runs out, so it does not lapse in flight; for tokens
	// living under two minutes the margin is a quarter of their lifetime,
	// so that a short-lived token is still reused (see shortenExpiry).
	tokenExpiryMargin = 30 * time.Second
	// tokenFetchTimeout bounds one token request even when the configured
	// HTTP client has no timeout, so a hung endpoint cannot block every
	// later call waiting on the shared token.
	tokenFetchTimeout = 30 * time.Second
)

// tokenSource hands out User Access Key tokens, fetching one only when the
// cached token is missing, about to expire or dropped after a 401.
//
// The token endpoint takes an OAuth 2.0 client credentials grant (RFC 6749
// section 4.4): HTTP Basic auth with the access key ID and secret, form
// grant_type=client_credentials. x/oauth2 form-escapes the ID and secret
// before Basic encoding (RFC 6749 section 2.3.1); for keys made of letters,
// digits and "-._~" that is the plain "id:secret" the provider documents.
type tokenSource struct {
	cc       clientcredentials.Config
	fetchCtx context.Context // carries the HTTP client for oauth2
	hooks    tokenHooks

	mu     sync.Mutex
	reuse  oauth2.TokenSource // oauth2's reuse source over fetch
	latest string             // the last token fetched
}

// tokenHooks are the parts of Config a token fetch uses besides the key:
// Config.Limiter, Config.Observe and Config.OnTokenRefresh, each optional.
type tokenHooks struct {
	limiter   *rate.Limiter
	observe   func(op string, status int, d time.Duration)
	onRefresh func()
}

func newTokenSource(hc *http.Client, tokenURL, id, secret string, hooks tokenHooks) *tokenSource {
	t := &tokenSource{
		cc: clientcredentials.Config{
			ClientID:     id,
			ClientSecret: secret,
			TokenURL:     tokenURL,
			AuthStyle:    oauth2.AuthStyleInHeader,
		},
		fetchCtx: context.WithValue(context.Background(), oauth2.HTTPClient, hc),
		hooks:    hooks,
	}
	t.reuse = t.newReuse()
	return t
}

func (t *tokenSource) newReuse() oauth2.TokenSource {
	return oauth2.ReuseTokenSourceWithExpiry(nil, fetcher{t}, tokenExpiryMargin)
}

// token returns a valid access token, fetching one if needed. It stops
// waiting when ctx ends (the fetch itself goes on for later callers).
// Errors are *TokenError.
func (t *tokenSource) token(ctx context.Context) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", &TokenError{Err: err}
	}
	t.mu.Lock()
	src := t.reuse
	t.mu.Unlock()

	type result struct {
		tok *oauth2.Token
		err error
	}
	done := make(chan result, 1)
	go func() {
		tok, err := src.Token()
		done <- result{tok, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return "", tokenError(r.err)
		}
		return r.tok.AccessToken, nil
	case <-ctx.Done():
		return "", &TokenError{Err: ctx.Err()}
	}
}

// invalidate drops the cached token after the API refused stale. When
// another call has already dropped or replaced stale, nothing changes, so
// concurrent 401s share one fetch rather than causing one each.
func (t *tokenSource) invalidate(stale string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.latest == stale {
		t.reuse = t.newReuse()
		t.latest = ""
	}
}

// tokenError wraps a failed fetch, keeping the token endpoint's HTTP status
// (0 when it did not answer).
func tokenError(err error) *TokenError {
	var te *TokenError
	if errors.As(err, &te) {
		return te
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		// The endpoint's body (up to 1 MiB as oauth2 reads it) is cut to
		// MaxMessage, so that it cannot flood conditions, events and logs.
		return &TokenError{HTTPStatus: re.Response.StatusCode, Err: errors.New(snippet([]byte(err.Error())))}
	}
	return &TokenError{Err: err}
}

// shortenExpiry moves tok.Expiry so that oauth2's reuse source, which
// replaces a token tokenExpiryMargin before its Expiry, replaces it
// min(tokenExpiryMargin, lifetime/4) before it really expires.
func shortenExpiry(tok *oauth2.Token, fetched time.Time) {
	if tok.Expiry.IsZero() {
		return
	}
	margin := min(tokenExpiryMargin, tok.Expiry.Sub(fetched)/4)
	tok.Expiry = tok.Expiry.Add(tokenExpiryMargin - margin)
}

// fetcher is the oauth2.TokenSource that always asks the token endpoint.
type fetcher struct{ t *tokenSource }

// tokenOp is the operation name token fetches are observed under.
const tokenOp = "Token"

// Token waits for the limiter, fetches a new token and records it as the
// latest. The wait shares the fetch's own timeout, not a caller's ctx: the
// fetch serves every caller waiting on the shared token.
func (f fetcher) Token() (*oauth2.Token, error) {
	ctx, cancel := context.WithTimeout(f.t.fetchCtx, tokenFetchTimeout)
	defer cancel()
	if err := waitTurn(ctx, f.t.hooks.limiter); err != nil {
		return nil, err
	}
	start := time.Now()
	tok, err := f.t.cc.Token(ctx)
	f.observe(err, time.Since(start))
	if err != nil {
		return nil, err
	}
	shortenExpiry(tok, start)
	f.t.mu.Lock()
	f.t.latest = tok.AccessToken
	f.t.mu.Unlock()
	if f.t.hooks.onRefresh != nil {
		f.t.hooks.onRefresh()
	}
	return tok, nil
}

// observe reports one token fetch to Config.Observe. x/oauth2 hides the
// status of a success, which is some 2xx: it is reported as 200.
func (f fetcher) observe(err error, d time.Duration) {
	if f.t.hooks.observe == nil {
		return
	}
	status := http.StatusOK
	if err != nil {
		status = tokenError(err).HTTPStatus
	}
	f.t.hooks.observe(tokenOp, status, d)
}
