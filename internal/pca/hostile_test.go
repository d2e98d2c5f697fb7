package pca

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A tenant chooses the endpoint; these tests play an endpoint that lies,
// floods or redirects, and check what reaches the caller.

func TestEnvelopeMessageIsCutToMaxMessage(t *testing.T) {
	f := newFake(t)
	f.api = failEnvelope(400, -1, strings.Repeat("x", 1<<20))
	_, err := f.client(t).GetStore(context.Background(), 1)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want *Error", err)
	}
	if len(e.ResultMessage) > MaxMessage+len("...") || !strings.HasSuffix(e.ResultMessage, "...") {
		t.Errorf("resultMessage has %d bytes, want at most %d and marked as cut", len(e.ResultMessage), MaxMessage+3)
	}
}

func TestHugeErrorAnswerIsNotReadWhole(t *testing.T) {
	f := newFake(t)
	written := make(chan int64, 1)
	f.api = func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		chunk := []byte(strings.Repeat("y", 64<<10))
		var n int64
		for range 160 { // 10 MiB
			m, err := w.Write(chunk)
			n += int64(m)
			if err != nil {
				break
			}
		}
		written <- n
	}
	_, err := f.client(t).GetStore(context.Background(), 1)
	if err == nil || len(err.Error()) > MaxMessage+200 {
		t.Fatalf("error = %.300v (%d bytes), want a short error", err, len(err.Error()))
	}
	if n := <-written; n >= 10<<20 {
		t.Errorf("the server wrote all %d bytes: the client read the whole error answer", n)
	}
}

func TestJSONAnswerOverLimitIsAnEndpointError(t *testing.T) {
	f := newFake(t)
	f.api = okEnvelope(`"` + strings.Repeat("z", maxJSONBody) + `"`)
	_, err := f.client(t).GetStore(context.Background(), 1)
	if !IsEndpointError(err) || IsRetryable(err) {
		t.Fatalf("error = %.200v, want a non-retryable *EndpointError", err)
	}
}

func TestDownloadMayExceedTheJSONLimit(t *testing.T) {
	f := newFake(t)
	crl := strings.Repeat("c", 2*maxJSONBody)
	f.api = rawAnswer(200, "application/pkix-crl", crl)
	got, err := f.client(t).DownloadCRL(context.Background(), 1, 2, true)
	if err != nil || len(got) != len(crl) {
		t.Fatalf("DownloadCRL = %d bytes, %v; want %d bytes", len(got), err, len(crl))
	}
}

func TestRedirectToAnotherHostIsNotFollowed(t *testing.T) {
	var leaked []string
	other := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked = append(leaked, r.Header.Get(AuthHeader))
		_, _ = w.Write([]byte("secret page of another host"))
	}))
	defer other.Close()
	f := newFake(t)
	f.api = func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusFound)
	}
	_, err := f.client(t).GetStore(context.Background(), 1)
	if !IsEndpointError(err) || IsRetryable(err) {
		t.Fatalf("error = %v, want a non-retryable *EndpointError", err)
	}
	if strings.Contains(err.Error(), "secret page") {
		t.Errorf("the other host's page reached the error: %v", err)
	}
	if len(leaked) != 0 {
		t.Errorf("the other host was called %d times (token header %q)", len(leaked), leaked)
	}
}

func TestRedirectOnTheSameHostIsFollowed(t *testing.T) {
	f := newFake(t)
	f.api = func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/moved") {
			http.Redirect(w, r, r.URL.Path+"/moved", http.StatusTemporaryRedirect)
			return
		}
		okEnvelope(`{"caStoreId":1,"caStoreName":"s","status":"ACTIVE"}`)(w, r)
	}
	if _, err := f.client(t).GetStore(context.Background(), 1); err != nil {
		t.Fatalf("GetStore: %v", err)
	}
}

func TestPlainHTTPNeedsAllowHTTP(t *testing.T) {
	cfg := Config{URL: "http://pca.example", TokenURL: "https://oauth.example", AppKey: "a", AccessKeyID: "b", SecretAccessKey: "c"}
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "https") {
		t.Fatalf("New with an http url = %v, want an error asking for https", err)
	}
	cfg.AllowHTTP = true
	if _, err := New(cfg); err != nil {
		t.Fatalf("New with AllowHTTP: %v", err)
	}
}

func TestTokenEndpointErrorBodyIsCut(t *testing.T) {
	f := newFake(t)
	f.tokenStatus = http.StatusBadRequest
	f.tokenBody = strings.Repeat("t", 512<<10)
	_, err := f.client(t).GetStore(context.Background(), 1)
	var te *TokenError
	if !errors.As(err, &te) || len(err.Error()) > MaxMessage+100 {
		t.Fatalf("error (%d bytes) = %.200v, want a *TokenError under %d bytes", len(err.Error()), err, MaxMessage+100)
	}
}
