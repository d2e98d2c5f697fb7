package pca

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/time/rate"
)

// clientWith returns a client of f that waits on lim.
func clientWith(t *testing.T, f *fakePCA, lim *rate.Limiter) *Client {
	t.Helper()
	cfg := f.config()
	cfg.Limiter = lim
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLimiterTakesOneTokenPerExchange(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		api  http.HandlerFunc
		do   func(*Client) error
		// want is how many limiter tokens the calls take.
		want float64
	}{
		{name: "token-fetch-and-call-take-one-each", api: okEnvelope(`{"id":1}`), want: 2,
			do: func(c *Client) error { _, err := c.GetStore(ctx, 1); return err }},
		{name: "cached-token-takes-none", api: okEnvelope(`{"id":1}`), want: 3,
			do: func(c *Client) error {
				if _, err := c.GetStore(ctx, 1); err != nil {
					return err
				}
				_, err := c.GetStore(ctx, 1)
				return err
			}},
		{name: "public-call-takes-one", api: rawAnswer(200, "application/ocsp-response", "\x30\x03"), want: 1,
			do: func(c *Client) error { _, err := c.OCSPGet(ctx, 1, []byte{0x30}); return err }},
		{name: "retry-after-401-takes-its-own", api: failEnvelope(401, -401, "token expired"), want: 4,
			do: func(c *Client) error { _, err := c.GetStore(ctx, 1); return ignoreUnauthorized(err) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.api = tt.api
			// One token an hour: refill during the test is far below 0.01.
			const burst = 10
			lim := rate.NewLimiter(rate.Every(time.Hour), burst)
			if err := tt.do(clientWith(t, f, lim)); err != nil {
				t.Fatalf("call: %v", err)
			}
			if taken := burst - lim.Tokens(); math.Abs(taken-tt.want) > 0.01 {
				t.Errorf("limiter tokens taken = %.3f, want %v", taken, tt.want)
			}
		})
	}
}

func TestLimiterWaitEndings(t *testing.T) {
	every := func(d time.Duration, burst int) func() *rate.Limiter {
		return func() *rate.Limiter { return rate.NewLimiter(rate.Every(d), burst) }
	}
	tests := []struct {
		name string
		// lim is made empty (its burst spent) before the call.
		lim func() *rate.Limiter
		// ctx is "deadline" (one minute), "canceled" or "" (background).
		ctx           string
		public        bool
		wantIs        error
		wantText      string
		wantRetryable bool
		wantHits      int32 // token plus API requests
	}{
		{name: "deadline-before-next-turn-is-retryable", public: true, lim: every(time.Hour, 1), ctx: "deadline",
			wantIs: context.DeadlineExceeded, wantRetryable: true},
		{name: "zero-rate-waits-forever-so-deadline-is-retryable", public: true, ctx: "deadline",
			lim:    func() *rate.Limiter { return rate.NewLimiter(0, 1) },
			wantIs: context.DeadlineExceeded, wantRetryable: true},
		{name: "token-fetch-waits-too", lim: every(time.Hour, 1),
			wantIs: context.DeadlineExceeded, wantRetryable: true},
		{name: "canceled-before-waiting-is-not-retryable", public: true, lim: every(time.Hour, 1), ctx: "canceled",
			wantIs: context.Canceled},
		{name: "burst-zero-is-refused", public: true, lim: every(time.Millisecond, 0),
			wantText: "burst 0"},
		{name: "infinite-rate-ignores-burst", public: true,
			lim:      func() *rate.Limiter { return rate.NewLimiter(rate.Inf, 0) },
			wantHits: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.api = rawAnswer(200, "application/pkix-crl", "\x30\x00")
			lim := tt.lim()
			lim.Allow()
			c := clientWith(t, f, lim)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			switch tt.ctx {
			case "deadline":
				ctx, cancel = context.WithTimeout(ctx, time.Minute)
				defer cancel()
			case "canceled":
				cancel()
			}
			var err error
			if tt.public {
				_, err = c.DownloadCRL(ctx, 1, 2, true)
			} else {
				_, err = c.Call(ctx, Request{Op: "DownloadCertificate", Method: http.MethodGet, Path: "/1/certs/2/download", Download: true})
			}
			if hits := f.tokenHits.Load() + f.apiHits.Load(); hits != tt.wantHits {
				t.Errorf("requests = %d, want %d", hits, tt.wantHits)
			}
			if tt.wantIs == nil && tt.wantText == "" {
				if err != nil {
					t.Fatalf("call: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("call succeeded, want an error")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error = %v, want one wrapping %v", err, tt.wantIs)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error = %v, want one mentioning %q", err, tt.wantText)
			}
			if IsRetryable(err) != tt.wantRetryable {
				t.Errorf("IsRetryable = %v, want %v", IsRetryable(err), tt.wantRetryable)
			}
		})
	}
}

func TestCancelWhileWaitingForLimiterIsNotRetryable(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lim := rate.NewLimiter(rate.Every(time.Hour), 1)
		lim.Allow()
		// The call never gets past the limiter, so nothing listens here.
		c, err := New(Config{URL: "https://pca.invalid", TokenURL: "https://pca.invalid", AppKey: "a",
			AccessKeyID: "i", SecretAccessKey: "s", Limiter: lim})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := c.OCSP(ctx, 1, []byte{0x30})
			done <- err
		}()
		synctest.Wait() // the call is now blocked on the limiter
		select {
		case err := <-done:
			t.Fatalf("call returned %v before its turn or a cancel", err)
		default:
		}
		cancel()
		err = <-done
		if !errors.Is(err, context.Canceled) || IsRetryable(err) {
			t.Fatalf("error = %v, want context.Canceled, not retryable", err)
		}
		if !strings.Contains(err.Error(), "rate limiter") {
			t.Errorf("error = %v, want one naming the rate limiter", err)
		}
	})
}

// ignoreUnauthorized drops an expected 401 so other errors still fail.
func ignoreUnauthorized(err error) error {
	if IsUnauthorized(err) {
		return nil
	}
	return err
}
