package pca

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

func TestTokenFetchObservedAsToken(t *testing.T) {
	tests := []struct {
		name        string
		tokenStatus int
		closed      bool
		want        []string
	}{
		{name: "fetched-token-observed-200", want: []string{"Token:200", "GetStore:200"}},
		{name: "refused-key-observed-with-its-status", tokenStatus: 401, want: []string{"Token:401"}},
		{name: "no-answer-observed-as-zero", closed: true, want: []string{"Token:0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.api = okEnvelope(`{"id":1}`)
			f.tokenStatus = tt.tokenStatus
			var (
				mu        sync.Mutex
				observed  []string
				refreshes int
			)
			cfg := f.config()
			cfg.Observe = func(op string, status int, d time.Duration) {
				mu.Lock()
				defer mu.Unlock()
				if d < 0 {
					t.Errorf("negative duration %v", d)
				}
				observed = append(observed, fmt.Sprintf("%s:%d", op, status))
			}
			cfg.OnTokenRefresh = func() { mu.Lock(); refreshes++; mu.Unlock() }
			if tt.closed {
				f.srv.Close()
			}
			c, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = c.GetStore(context.Background(), 1)
			mu.Lock()
			defer mu.Unlock()
			if !slices.Equal(observed, tt.want) {
				t.Errorf("observed %v, want %v", observed, tt.want)
			}
			wantRefreshes := 0
			if tt.tokenStatus == 0 && !tt.closed {
				wantRefreshes = 1
			}
			if refreshes != wantRefreshes {
				t.Errorf("token refreshes = %d, want %d", refreshes, wantRefreshes)
			}
		})
	}
}

func TestShortenExpiry(t *testing.T) {
	fetched := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name     string
		lifetime time.Duration
		// wantReplacedBefore is how long before the real expiry oauth2's
		// reuse source (margin tokenExpiryMargin) will replace the token.
		wantReplacedBefore time.Duration
	}{
		{"day-token-replaced-30s-early", 24 * time.Hour, 30 * time.Second},
		{"two-minute-token-replaced-30s-early", 2 * time.Minute, 30 * time.Second},
		{"two-second-token-replaced-half-a-second-early", 2 * time.Second, 500 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok := &oauth2.Token{Expiry: fetched.Add(tc.lifetime)}
			shortenExpiry(tok, fetched)
			replacedAt := tok.Expiry.Add(-tokenExpiryMargin)
			if got := fetched.Add(tc.lifetime).Sub(replacedAt); got != tc.wantReplacedBefore {
				t.Errorf("replaced %s before expiry, want %s", got, tc.wantReplacedBefore)
			}
		})
	}
}
