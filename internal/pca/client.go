package pca

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// Default endpoints of region KR1 (docs/pca-api.md#endpoints, #authentication).
const (
	// DefaultURL is the API base URL.
	DefaultURL = "https://kr1-pca.api.nhncloudservice.com"
	// DefaultTokenURL is the OAuth base URL; the token endpoint is
	// DefaultTokenURL + TokenPath.
	DefaultTokenURL = "https://oauth.api.nhncloudservice.com"
	// TokenPath is the path of the token endpoint below Config.TokenURL.
	TokenPath = "/oauth2/token/create"
	// AuthHeader is the header that carries "Bearer <token>" on API calls;
	// the API does not read the standard Authorization header.
	AuthHeader = "X-NHN-AUTHORIZATION"
)

// defaultTimeout bounds one HTTP exchange when Config.HTTPClient is nil.
const defaultTimeout = 30 * time.Second

// Config is what New needs to reach the API.
type Config struct {
	// URL is the API base URL (scheme and host, optionally a path prefix);
	// DefaultURL when empty.
	URL string
	// TokenURL is the OAuth base URL; DefaultTokenURL when empty. Tokens are
	// requested from TokenURL + TokenPath.
	TokenURL string
	// AppKey identifies the NHN Cloud project; it is sent in the URL path
	// (path-escaped) and is a secret.
	AppKey string
	// AccessKeyID and SecretAccessKey are the User Access Key pair used to
	// get tokens.
	AccessKeyID     string
	SecretAccessKey string
	// HTTPClient carries TLS trust and timeouts for token and API calls
	// alike. When nil, a client with a 30 s timeout and the system roots is
	// used.
	HTTPClient *http.Client
	// UserAgent is sent on API calls when non-empty.
	UserAgent string
	// Observe, when set, is called after every HTTP exchange with the API
	// or the token endpoint; metrics.ObserveAPICall fits it. It must be
	// safe for concurrent use.
	//
	// op is the name of the Client method that made the exchange (GetStore,
	// ListStores, ListCertificates, GetCertificate, RevokeCertificate,
	// GetTemplate, IssueWithTemplate, GetCRLInfo, DownloadCRL, OCSP,
	// OCSPGet; FindLeaf reports as the ListCertificates and GetCertificate
	// calls it makes), the Request.Op of a Call, or "Token" for a token
	// fetch. A call retried after a 401 is observed twice, once per
	// exchange.
	//
	// status is the HTTP status, or 0 when no answer came (transport error)
	// or, for Token, when a 2xx answer held no usable token. d is the time
	// from sending the request to reading the whole answer; time spent
	// waiting for Limiter is not included.
	Observe func(op string, status int, d time.Duration)
	// OnTokenRefresh, when set, is called each time a new token has been
	// fetched from the token endpoint; metrics.ObserveTokenRefresh fits it.
	OnTokenRefresh func()
	// AllowHTTP lets URL and TokenURL be plain http. It is for development
	// against a local emulator only: credentials and tokens would cross the
	// network in clear.
	AllowHTTP bool
	// Limiter, when set, is waited on before every HTTP exchange: each API
	// call (a retry after a 401 included, public endpoints too) and each
	// token fetch takes one token. Share one Limiter between all Clients of
	// one issuer so the issuer's QPS and burst hold whatever the number of
	// Clients. nil means no client-side limit. A ctx canceled while waiting
	// returns an error wrapping context.Canceled (not retryable); a ctx
	// deadline that comes before the next turn returns one wrapping
	// context.DeadlineExceeded (retryable, see IsRetryable). A Limiter with
	// burst 0 and a finite rate is refused on every call, as it never lets a
	// request through.
	Limiter *rate.Limiter
}

// Client calls the PCA API v2.0. It holds no global state and is safe for
// concurrent use; tokens are shared by all calls of one Client.
type Client struct {
	// root is the escaped URL of ".../v2.0/appkeys/{appkey}/ca-stores".
	root      string
	http      *http.Client
	tokens    *tokenSource
	userAgent string
	observe   func(op string, status int, d time.Duration)
	limiter   *rate.Limiter
}

// New checks cfg and returns a Client. It returns an error when AppKey,
// AccessKeyID or SecretAccessKey is empty, or when URL or TokenURL is not an
// absolute https URL (http too with AllowHTTP). No network call is made. The
// client follows redirects only to the host and scheme it was sent to.
func New(cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.AppKey) == "" {
		return nil, errors.New("pca: config: appkey is empty")
	}
	if strings.TrimSpace(cfg.AccessKeyID) == "" || strings.TrimSpace(cfg.SecretAccessKey) == "" {
		return nil, errors.New("pca: config: access key ID and secret access key are both required")
	}
	base, err := baseURL("URL", cfg.URL, DefaultURL, cfg.AllowHTTP)
	if err != nil {
		return nil, err
	}
	tokenBase, err := baseURL("TokenURL", cfg.TokenURL, DefaultTokenURL, cfg.AllowHTTP)
	if err != nil {
		return nil, err
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: defaultTimeout}
	}
	hc = guardRedirects(hc)
	return &Client{
		root: base + "/v2.0/appkeys/" + url.PathEscape(cfg.AppKey) + "/ca-stores",
		http: hc,
		tokens: newTokenSource(hc, tokenBase+TokenPath, cfg.AccessKeyID, cfg.SecretAccessKey, tokenHooks{
			limiter:   cfg.Limiter,
			observe:   cfg.Observe,
			onRefresh: cfg.OnTokenRefresh,
		}),
		userAgent: cfg.UserAgent,
		observe:   cfg.Observe,
		limiter:   cfg.Limiter,
	}, nil
}

// baseURL returns raw (or def when raw is empty) without a trailing slash,
// after checking it is an absolute https URL (or http, with allowHTTP)
// without query.
func baseURL(field, raw, def string, allowHTTP bool) (string, error) {
	if raw == "" {
		raw = def
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("pca: config: %s: %w", field, err)
	}
	if (u.Scheme != "https" && (u.Scheme != "http" || !allowHTTP)) || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("pca: config: %s %q must be an absolute https URL without query", field, raw)
	}
	return strings.TrimRight(raw, "/"), nil
}

// call describes one API request.
type call struct {
	op     string
	method string
	// path is escaped and relative to Client.root, "" or starting with "/".
	path  string
	query url.Values
	// body is sent as is on every attempt, so a retry replays it; nil means
	// no body.
	body        []byte
	contentType string
	// public endpoints (CRL download, OCSP) need no token.
	public bool
	// maxBody caps a successful answer's body in bytes; 0 means
	// maxJSONBody.
	maxBody int64
}

// answer is a raw HTTP answer, read in full.
type answer struct {
	status      int
	contentType string
	body        []byte
}

// do sends c and returns the answer whatever its status. Authenticated calls
// answered 401 drop the token, get a fresh one and are sent once more: a
// token can be revoked before it expires (docs/pca-api.md#token). A second 401 is
// returned as is, never retried again.
func (c *Client) do(ctx context.Context, cl call) (*answer, error) {
	if cl.public {
		return c.send(ctx, cl, "")
	}
	token, err := c.tokens.token(ctx)
	if err != nil {
		return nil, err
	}
	ans, err := c.send(ctx, cl, token)
	if err != nil || ans.status != http.StatusUnauthorized {
		return ans, err
	}
	c.tokens.invalidate(token)
	if token, err = c.tokens.token(ctx); err != nil {
		return nil, err
	}
	return c.send(ctx, cl, token)
}

// send waits for Config.Limiter, makes one HTTP exchange and reports it to
// Config.Observe.
func (c *Client) send(ctx context.Context, cl call, token string) (*answer, error) {
	if err := waitTurn(ctx, c.limiter); err != nil {
		return nil, fmt.Errorf("pca: %s: %w", cl.op, err)
	}
	req, err := c.newRequest(ctx, cl, token)
	if err != nil {
		return nil, fmt.Errorf("pca: %s: %w", cl.op, err)
	}
	limit := cl.maxBody
	if limit == 0 {
		limit = maxJSONBody
	}
	start := time.Now()
	ans, err := c.exchange(req, limit)
	if c.observe != nil {
		status := 0
		if ans != nil {
			status = ans.status
		}
		c.observe(cl.op, status, time.Since(start))
	}
	if err != nil {
		return nil, fmt.Errorf("pca: %s: %w", cl.op, err)
	}
	return ans, nil
}

// newRequest builds the HTTP request of cl, with the token when not empty.
func (c *Client) newRequest(ctx context.Context, cl call, token string) (*http.Request, error) {
	target := c.root + cl.path
	if len(cl.query) > 0 {
		target += "?" + cl.query.Encode()
	}
	var body io.Reader
	if cl.body != nil {
		body = bytes.NewReader(cl.body)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, target, body)
	if err != nil {
		return nil, err
	}
	if cl.contentType != "" {
		req.Header.Set("Content-Type", cl.contentType)
	}
	if token != "" {
		req.Header.Set(AuthHeader, "Bearer "+token)
	}
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	return req, nil
}

// exchange sends req and reads its answer: at most limit bytes of a 2xx
// answer (more is an error), and the first maxErrorBody bytes of any other
// (the rest is not read: only the envelope header matters). The answer is
// returned even with a read error, so its status is observed.
func (c *Client) exchange(req *http.Request, limit int64) (*answer, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	ans := &answer{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type")}
	if !is2xx(resp.StatusCode) {
		ans.body, err = io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		if err != nil {
			return ans, fmt.Errorf("reading answer: %w", err)
		}
		return ans, nil
	}
	ans.body, err = io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return ans, fmt.Errorf("reading answer: %w", err)
	}
	if int64(len(ans.body)) > limit {
		return ans, &EndpointError{Err: fmt.Errorf("the answer exceeds %d bytes, more than any real answer: not read further", limit)}
	}
	return ans, nil
}

// id formats a path id.
func id(n int64) string { return strconv.FormatInt(n, 10) }

// listQuery turns o into the query of a list endpoint (see
// wire.ListOptions.Query).
func listQuery(o wire.ListOptions) (url.Values, error) {
	q, err := o.Query()
	if err != nil {
		return nil, fmt.Errorf("pca: %w", err)
	}
	return q, nil
}
