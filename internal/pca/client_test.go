package pca

import (
	"context"
	"errors"
	"fmt"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestNewValidatesConfig(t *testing.T) {
	ok := Config{AppKey: "a", AccessKeyID: "i", SecretAccessKey: "s"}
	tests := []struct {
		name    string
		edit    func(*Config)
		wantErr string
	}{
		{name: "defaults-accepted", edit: func(*Config) {}},
		{name: "empty-appkey-rejected", edit: func(c *Config) { c.AppKey = " " }, wantErr: "appkey"},
		{name: "empty-key-id-rejected", edit: func(c *Config) { c.AccessKeyID = "" }, wantErr: "access key"},
		{name: "empty-secret-rejected", edit: func(c *Config) { c.SecretAccessKey = "" }, wantErr: "access key"},
		{name: "non-http-url-rejected", edit: func(c *Config) { c.URL = "ftp://example.com" }, wantErr: "URL"},
		{name: "relative-url-rejected", edit: func(c *Config) { c.URL = "example.com/api" }, wantErr: "URL"},
		{name: "unparsable-token-url-rejected", edit: func(c *Config) { c.TokenURL = "http://[::1" }, wantErr: "TokenURL"},
		{name: "url-with-query-rejected", edit: func(c *Config) { c.URL = "https://example.com/?x=1" }, wantErr: "URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ok
			tt.edit(&cfg)
			c, err := New(cfg)
			if tt.wantErr == "" {
				if err != nil || c == nil {
					t.Fatalf("New: %v", err)
				}
				if want := DefaultURL + "/v2.0/appkeys/a/ca-stores"; c.root != want {
					t.Errorf("root = %q, want %q", c.root, want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New error = %v, want one mentioning %q", err, tt.wantErr)
			}
		})
	}
}

func TestTokenSentInNHNHeaderOnly(t *testing.T) {
	f := newFake(t)
	f.api = okEnvelope(`{"id":1}`)
	cfg := f.config()
	cfg.UserAgent = "pca-issuer-test"
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetStore(context.Background(), 1); err != nil {
		t.Fatalf("GetStore: %v", err)
	}
	got := f.requests()[0]
	if got.Auth != "Bearer tok-1" {
		t.Errorf("%s = %q, want %q", AuthHeader, got.Auth, "Bearer tok-1")
	}
	if got.StdAuth != "" {
		t.Errorf("Authorization = %q, want none", got.StdAuth)
	}
	if got.UserAgent != "pca-issuer-test" {
		t.Errorf("User-Agent = %q", got.UserAgent)
	}
}

func TestTokenRequestIsClientCredentialsWithBasicAuth(t *testing.T) {
	f := newFake(t)
	f.api = okEnvelope(`{"id":1}`)
	if _, err := f.client(t).GetStore(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	reqs := f.tokenRequests()
	if len(reqs) != 1 {
		t.Fatalf("token requests = %d, want 1", len(reqs))
	}
	want := tokenRequest{
		Method: http.MethodPost, Path: TokenPath, ContentType: "application/x-www-form-urlencoded",
		User: testKeyID, Pass: testSecret, BasicOK: true, GrantType: "client_credentials",
	}
	if reqs[0] != want {
		t.Errorf("token request = %+v, want %+v", reqs[0], want)
	}
}

func TestTokenReuse(t *testing.T) {
	tests := []struct {
		name          string
		expiresIn     int
		calls         int
		wantTokenHits int32
	}{
		{name: "valid-token-reused-across-calls", expiresIn: 3600, calls: 5, wantTokenHits: 1},
		{name: "short-lived-token-reused-within-its-lifetime", expiresIn: 20, calls: 3, wantTokenHits: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.expiresIn = tt.expiresIn
			f.api = okEnvelope(`{"id":1}`)
			refreshes := 0
			cfg := f.config()
			cfg.OnTokenRefresh = func() { refreshes++ }
			c, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			for range tt.calls {
				if _, err := c.GetStore(context.Background(), 1); err != nil {
					t.Fatal(err)
				}
			}
			if got := f.tokenHits.Load(); got != tt.wantTokenHits {
				t.Errorf("token hits = %d, want %d", got, tt.wantTokenHits)
			}
			if refreshes != int(tt.wantTokenHits) {
				t.Errorf("OnTokenRefresh calls = %d, want %d", refreshes, tt.wantTokenHits)
			}
		})
	}
}

func TestConcurrentCallsShareOneToken(t *testing.T) {
	f := newFake(t)
	f.api = okEnvelope(`{"id":1}`)
	c := f.client(t)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			_, err := c.GetStore(context.Background(), 1)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := f.tokenHits.Load(); got != 1 {
		t.Errorf("token hits = %d, want 1", got)
	}
	if got := f.apiHits.Load(); got != 20 {
		t.Errorf("api hits = %d, want 20", got)
	}
}

func TestUnauthorizedRefreshesTokenOnce(t *testing.T) {
	tests := []struct {
		name string
		// acceptFrom is the first token the API accepts; 0 accepts none.
		acceptFrom string
		wantErr    bool
	}{
		{name: "revoked-token-replaced-and-call-retried", acceptFrom: "Bearer tok-2"},
		{name: "second-401-returned-not-retried-again", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.api = func(w http.ResponseWriter, r *http.Request) {
				if tt.acceptFrom != "" && r.Header.Get(AuthHeader) == tt.acceptFrom {
					okEnvelope(`{"certificateId":7}`)(w, r)
					return
				}
				failEnvelope(401, -401, "token expired")(w, r)
			}
			var observed []string
			cfg := f.config()
			cfg.Observe = func(op string, status int, _ time.Duration) {
				observed = append(observed, fmt.Sprintf("%s:%d", op, status))
			}
			c, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			cert, err := c.IssueWithTemplate(context.Background(), 1, 2, wire.IssueRequest{Mode: wire.ModeSign, Csr: "csr"})
			if got := f.apiHits.Load(); got != 2 {
				t.Errorf("api hits = %d, want 2", got)
			}
			if got := f.tokenHits.Load(); got != 2 {
				t.Errorf("token hits = %d, want 2", got)
			}
			reqs := f.requests()
			if string(reqs[0].Body) != string(reqs[1].Body) || len(reqs[1].Body) == 0 {
				t.Errorf("retry body %q differs from first %q", reqs[1].Body, reqs[0].Body)
			}
			if reqs[0].Auth != "Bearer tok-1" || reqs[1].Auth != "Bearer tok-2" {
				t.Errorf("tokens sent = %q, %q", reqs[0].Auth, reqs[1].Auth)
			}
			if tt.wantErr {
				if !IsUnauthorized(err) {
					t.Fatalf("error = %v, want a 401 *Error", err)
				}
				want := []string{"Token:200", "IssueWithTemplate:401", "Token:200", "IssueWithTemplate:401"}
				if !slices.Equal(observed, want) {
					t.Errorf("observed %v, want %v", observed, want)
				}
				return
			}
			if err != nil || cert.CertificateID != 7 {
				t.Fatalf("IssueWithTemplate = %+v, %v", cert, err)
			}
			want := []string{"Token:200", "IssueWithTemplate:401", "Token:200", "IssueWithTemplate:200"}
			if !slices.Equal(observed, want) {
				t.Errorf("observed %v, want %v", observed, want)
			}
		})
	}
}

func TestAnswerErrors(t *testing.T) {
	longHTML := "<html><body>" + strings.Repeat("bad gateway ", 200) + "</body></html>"
	tests := []struct {
		name          string
		api           http.HandlerFunc
		wantStatus    int
		wantCode      int
		wantMessage   string // prefix
		wantNotFound  bool
		wantRetryable bool
	}{
		{name: "unsuccessful-envelope-under-200", api: failEnvelope(200, -3001, "template refuses CSR"),
			wantStatus: 200, wantCode: -3001, wantMessage: "template refuses CSR"},
		{name: "missing-header-under-200", api: rawAnswer(200, "application/json", `{"body":{}}`),
			wantStatus: 200},
		{name: "non-json-under-200", api: rawAnswer(200, "text/html", "<html>login</html>"),
			wantStatus: 200, wantMessage: "answer is not a JSON envelope"},
		{name: "html-502-not-read-as-json", api: rawAnswer(502, "text/html", "<html>\n<h1>502 Bad Gateway</h1></html>"),
			wantStatus: 502, wantMessage: "<html> <h1>502 Bad Gateway</h1></html>", wantRetryable: true},
		{name: "long-html-503-cut-short", api: rawAnswer(503, "text/html", longHTML),
			wantStatus: 503, wantMessage: longHTML[:MaxMessage-24], wantRetryable: true},
		{name: "empty-500-gets-status-text", api: rawAnswer(500, "text/plain", ""),
			wantStatus: 500, wantMessage: "Internal Server Error", wantRetryable: true},
		{name: "404-envelope-is-not-found", api: failEnvelope(404, -2001, "store not found"),
			wantStatus: 404, wantCode: -2001, wantMessage: "store not found", wantNotFound: true},
		{name: "429-is-retryable", api: failEnvelope(429, -9, "slow down"),
			wantStatus: 429, wantCode: -9, wantMessage: "slow down", wantRetryable: true},
		{name: "400-is-permanent", api: failEnvelope(400, -1, "invalid ttlValue"),
			wantStatus: 400, wantCode: -1, wantMessage: "invalid ttlValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.api = tt.api
			_, err := f.client(t).GetStore(context.Background(), 5)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error = %v (%T), want *Error", err, err)
			}
			if e.Op != "GetStore" || e.HTTPStatus != tt.wantStatus || e.ResultCode != tt.wantCode {
				t.Errorf("error = %+v, want op GetStore, status %d, code %d", e, tt.wantStatus, tt.wantCode)
			}
			if !strings.HasPrefix(e.ResultMessage, tt.wantMessage) || len(e.ResultMessage) > MaxMessage+len("...") {
				t.Errorf("message = %q, want prefix %q, at most %d bytes", e.ResultMessage, tt.wantMessage, MaxMessage+3)
			}
			if IsNotFound(err) != tt.wantNotFound || IsRetryable(err) != tt.wantRetryable {
				t.Errorf("IsNotFound = %v, IsRetryable = %v", IsNotFound(err), IsRetryable(err))
			}
		})
	}
}

func TestAnswerLargerThanLimitIsAnError(t *testing.T) {
	f := newFake(t)
	f.api = rawAnswer(200, "application/json", strings.Repeat(" ", maxJSONBody+1))
	_, err := f.client(t).GetStore(context.Background(), 1)
	if err == nil || !strings.Contains(err.Error(), "exceeds") {
		t.Fatalf("error = %v, want a size error", err)
	}
}

func TestTokenEndpointFailures(t *testing.T) {
	tests := []struct {
		name             string
		status           int
		wantUnauthorized bool
		wantRetryable    bool
	}{
		{name: "refused-key-is-unauthorized", status: 401, wantUnauthorized: true},
		{name: "bad-request-is-unauthorized", status: 400, wantUnauthorized: true},
		{name: "token-server-error-is-retryable", status: 503, wantRetryable: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.tokenStatus = tt.status
			f.api = okEnvelope(`{}`)
			_, err := f.client(t).GetTemplate(context.Background(), 1, 2)
			var te *TokenError
			if !errors.As(err, &te) || te.HTTPStatus != tt.status {
				t.Fatalf("error = %v, want *TokenError with HTTP %d", err, tt.status)
			}
			if IsUnauthorized(err) != tt.wantUnauthorized || IsRetryable(err) != tt.wantRetryable {
				t.Errorf("IsUnauthorized = %v, IsRetryable = %v", IsUnauthorized(err), IsRetryable(err))
			}
			if got := f.apiHits.Load(); got != 0 {
				t.Errorf("api hits = %d, want 0 without a token", got)
			}
		})
	}
}

func TestTokenTransportErrorIsRetryable(t *testing.T) {
	f := newFake(t)
	cfg := f.config()
	f.srv.Close()
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetStore(context.Background(), 1)
	var te *TokenError
	if !errors.As(err, &te) || te.HTTPStatus != 0 {
		t.Fatalf("error = %v, want *TokenError with status 0", err)
	}
	if !IsRetryable(err) {
		t.Errorf("IsRetryable = false for %v", err)
	}
}

func TestAPITransportErrorObservedAsZero(t *testing.T) {
	f := newFake(t)
	f.api = func(w http.ResponseWriter, _ *http.Request) {
		// Cut the connection without an answer.
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}
	var observed []string
	cfg := f.config()
	cfg.Observe = func(op string, status int, _ time.Duration) {
		observed = append(observed, fmt.Sprintf("%s:%d", op, status))
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetStore(context.Background(), 1)
	if err == nil || !IsRetryable(err) {
		t.Fatalf("error = %v, want a retryable transport error", err)
	}
	if want := []string{"Token:200", "GetStore:0"}; !slices.Equal(observed, want) {
		t.Errorf("observed %v, want %v", observed, want)
	}
}

func TestCanceledContextStopsWaitingForToken(t *testing.T) {
	f := newFake(t)
	f.tokenGate = make(chan struct{})
	f.api = okEnvelope(`{}`)
	c := f.client(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.GetStore(ctx, 1)
		done <- err
	}()
	cancel()
	err := <-done
	close(f.tokenGate) // let the token endpoint answer so the server can close
	if !errors.Is(err, context.Canceled) || IsRetryable(err) {
		t.Fatalf("error = %v, want context.Canceled, not retryable", err)
	}
	if got := f.apiHits.Load(); got != 0 {
		t.Errorf("api hits = %d, want 0", got)
	}
}
