package pca

import (
	"encoding/json"
	"fmt"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

const (
	testAppKey = "app-key"
	testKeyID  = "key-id"
	testSecret = "secret-key"
)

// seenRequest is what the fake API saw of one request.
type seenRequest struct {
	Method      string
	Path        string // escaped
	Query       string
	Auth        string // X-NHN-AUTHORIZATION
	StdAuth     string // Authorization
	ContentType string
	UserAgent   string
	Body        []byte
}

// fakePCA is a token endpoint and an API in one httptest server. Tokens are
// "tok-1", "tok-2", ... in fetch order. The API answers with api, which a
// test sets before the first call.
type fakePCA struct {
	srv *httptest.Server

	tokenHits atomic.Int32
	apiHits   atomic.Int32

	// tokenStatus, when not 0, is the token endpoint's error status.
	tokenStatus int
	// tokenBody, when set, is the token endpoint's error body.
	tokenBody string
	// expiresIn is the tokens' lifetime in seconds (default 3600).
	expiresIn int
	// tokenGate, when set, is received from before the token endpoint
	// answers.
	tokenGate chan struct{}

	api http.HandlerFunc

	mu         sync.Mutex
	seen       []seenRequest
	tokenForms []tokenRequest
}

// tokenRequest is what the token endpoint saw.
type tokenRequest struct {
	Method, Path, ContentType string
	User, Pass                string
	BasicOK                   bool
	GrantType                 string
}

func newFake(t testing.TB) *fakePCA {
	t.Helper()
	f := &fakePCA{expiresIn: 3600}
	mux := http.NewServeMux()
	mux.HandleFunc("/oauth2/token/create", f.serveToken)
	mux.HandleFunc("/", f.serveAPI)
	f.srv = httptest.NewUnstartedServer(mux)
	// Tests cut connections on purpose; the server's log of it is noise.
	f.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	f.srv.StartTLS()
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakePCA) serveToken(w http.ResponseWriter, r *http.Request) {
	n := f.tokenHits.Add(1)
	if f.tokenGate != nil {
		<-f.tokenGate
	}
	user, pass, ok := r.BasicAuth()
	_ = r.ParseForm()
	f.mu.Lock()
	f.tokenForms = append(f.tokenForms, tokenRequest{
		Method: r.Method, Path: r.URL.Path, ContentType: r.Header.Get("Content-Type"),
		User: user, Pass: pass, BasicOK: ok, GrantType: r.PostForm.Get("grant_type"),
	})
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if f.tokenStatus != 0 {
		w.WriteHeader(f.tokenStatus)
		body := `{"error":"invalid_client"}`
		if f.tokenBody != "" {
			body = f.tokenBody
		}
		_, _ = io.WriteString(w, body)
		return
	}
	_ = json.NewEncoder(w).Encode(wire.Token{AccessToken: fmt.Sprintf("tok-%d", n), TokenType: "Bearer", ExpiresIn: int64(f.expiresIn)})
}

func (f *fakePCA) serveAPI(w http.ResponseWriter, r *http.Request) {
	f.apiHits.Add(1)
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.seen = append(f.seen, seenRequest{
		Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery,
		Auth: r.Header.Get(AuthHeader), StdAuth: r.Header.Get("Authorization"),
		ContentType: r.Header.Get("Content-Type"), UserAgent: r.Header.Get("User-Agent"), Body: body,
	})
	f.mu.Unlock()
	f.api(w, r)
}

// requests returns a copy of what the API saw.
func (f *fakePCA) requests() []seenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seenRequest(nil), f.seen...)
}

func (f *fakePCA) tokenRequests() []tokenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]tokenRequest(nil), f.tokenForms...)
}

// config is a Config pointing at f.
func (f *fakePCA) config() Config {
	return Config{
		URL: f.srv.URL, TokenURL: f.srv.URL,
		AppKey: testAppKey, AccessKeyID: testKeyID, SecretAccessKey: testSecret,
		HTTPClient: f.srv.Client(),
	}
}

func (f *fakePCA) client(t testing.TB) *Client {
	t.Helper()
	c, err := New(f.config())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// okEnvelope writes HTTP 200 with a successful envelope around body (raw
// JSON).
func okEnvelope(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"header":{"resultCode":0,"resultMessage":"SUCCESS","isSuccessful":true},"body":%s}`, body)
	}
}

// failEnvelope writes status with a failed envelope.
func failEnvelope(status, code int, msg string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, `{"header":{"resultCode":%d,"resultMessage":%q,"isSuccessful":false},"body":null}`, code, msg)
	}
}

// rawAnswer writes status, content type and body as given.
func rawAnswer(status int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}
