package isolation

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// stallingPCA fronts the harness's emulator: everything passes through,
// except issuance, which stalls until the client gives up, either silent
// (hang) or sending one byte every 200 ms (trickle). It records how many
// issuance calls it holds at once and how long each was held.
type stallingPCA struct {
	next    http.Handler
	trickle bool

	mu       sync.Mutex
	current  int
	peak     int
	calls    int
	finished int
	longest  time.Duration
}

func (s *stallingPCA) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.Contains(r.URL.Path, "/templates/") || !strings.HasSuffix(r.URL.Path, "/certificates") {
		s.next.ServeHTTP(w, r)
		return
	}
	// Read the body first: only then does net/http watch the connection and
	// cancel r.Context() when the client gives up.
	_, _ = io.Copy(io.Discard, r.Body)
	start := time.Now()
	s.enter()
	defer s.leave(start)
	if !s.trickle {
		<-r.Context().Done()
		return
	}
	w.Header().Set("Content-Type", "application/json")
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
			if _, err := w.Write([]byte(" ")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	}
}

func (s *stallingPCA) enter() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	s.current++
	s.peak = max(s.peak, s.current)
}

func (s *stallingPCA) leave(start time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.current--
	s.finished++
	s.longest = max(s.longest, time.Since(start))
}

// stats returns the calls so far, the most held at once, and the longest
// hold of a finished call.
func (s *stallingPCA) stats() (calls, peak int, longest time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls, s.peak, s.longest
}

// ended returns how many calls the client gave up so far.
func (s *stallingPCA) ended() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.finished
}

// serve starts the front over TLS; its certificate is the httptest one.
func (s *stallingPCA) serve() *httptest.Server {
	return httptest.NewTLSServer(s)
}
