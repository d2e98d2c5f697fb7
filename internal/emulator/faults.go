package emulator

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Faults are failures the emulator injects so tests can see how a client
// copes. They apply to the token endpoint and to every authenticated API
// route, before the request is handled, in this order: Latency, then a
// dropped connection (DropRate), then an error answer (ErrorRate). The
// public CRL and OCSP routes and the admin route are never faulted (they
// serve relying parties, not the issuer). A request failed this way is not
// handled: it issues nothing and IssuanceCount does not move; it is still
// counted by APICallCount.
type Faults struct {
	// Latency delays every faulted route by this long (the request's
	// context cancels the wait).
	Latency time.Duration
	// ErrorRate is the chance, 0..1, that a request is answered with
	// ErrorStatus and an error envelope (the token endpoint answers an
	// OAuth error body) instead of being handled.
	ErrorRate float64
	// ErrorStatus is the status of those answers: 429, 500, 503 or any
	// other 4xx/5xx; 0 or a value outside 400..599 means 503. 429 and 503
	// carry Retry-After: 1.
	ErrorStatus int
	// DropRate is the chance, 0..1, that the connection is closed without
	// an answer.
	DropRate float64
	// FailAfterIssueRate is the chance, 0..1, that a successful template
	// issuance (IssueWithTemplate) loses its answer: the certificate is
	// issued, kept and counted, but the caller gets FailAfterIssueStatus
	// instead, or a dropped connection when that is 0.
	FailAfterIssueRate   float64
	FailAfterIssueStatus int
}

// normalized clamps rates to 0..1 and sends unusable statuses to 503.
func (f Faults) normalized() Faults {
	clamp := func(p float64) float64 { return min(max(p, 0), 1) }
	f.ErrorRate, f.DropRate, f.FailAfterIssueRate = clamp(f.ErrorRate), clamp(f.DropRate), clamp(f.FailAfterIssueRate)
	if f.ErrorStatus < 400 || f.ErrorStatus > 599 {
		f.ErrorStatus = http.StatusServiceUnavailable
	}
	if f.FailAfterIssueStatus != 0 && (f.FailAfterIssueStatus < 400 || f.FailAfterIssueStatus > 599) {
		f.FailAfterIssueStatus = http.StatusServiceUnavailable
	}
	f.Latency = max(f.Latency, 0)
	return f
}

// Validate reports the first field out of range: a negative latency, a
// rate outside 0..1, or a status set outside 400..599. SetFaults does not
// need it (it clamps); the admin route refuses what it reports.
func (f Faults) Validate() error {
	switch {
	case f.Latency < 0:
		return fmt.Errorf("latency %v is negative", f.Latency)
	case f.ErrorRate < 0 || f.ErrorRate > 1:
		return fmt.Errorf("errorRate %v is outside 0..1", f.ErrorRate)
	case f.DropRate < 0 || f.DropRate > 1:
		return fmt.Errorf("dropRate %v is outside 0..1", f.DropRate)
	case f.FailAfterIssueRate < 0 || f.FailAfterIssueRate > 1:
		return fmt.Errorf("failAfterIssueRate %v is outside 0..1", f.FailAfterIssueRate)
	case f.ErrorStatus != 0 && (f.ErrorStatus < 400 || f.ErrorStatus > 599):
		return fmt.Errorf("errorStatus %d is outside 400..599", f.ErrorStatus)
	case f.FailAfterIssueStatus != 0 && (f.FailAfterIssueStatus < 400 || f.FailAfterIssueStatus > 599):
		return fmt.Errorf("failAfterIssueStatus %d is outside 400..599", f.FailAfterIssueStatus)
	}
	return nil
}

// faultState holds the current Faults.
type faultState struct {
	mu sync.Mutex
	f  Faults
}

func (s *faultState) get() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.f
}

func (s *faultState) set(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.f = f.normalized()
}

// SetFaults replaces the injected faults; the zero Faults turns them off.
// Rates are clamped to 0..1 and an unusable ErrorStatus becomes 503. It
// takes effect for requests that arrive afterwards.
func (e *Emulator) SetFaults(f Faults) { e.faults.set(f) }

// Faults returns the injected faults in force (normalized).
func (e *Emulator) Faults() Faults { return e.faults.get() }

// chance reports true with probability p (0 never, 1 always).
func chance(p float64) bool { return p > 0 && rand.Float64() < p }

// faultWriter writes an injected error answer in the route's shape.
type faultWriter func(w http.ResponseWriter, status int)

// withFaults applies the current faults before h; see Faults.
func (e *Emulator) withFaults(h http.Handler, fail faultWriter) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := e.faults.get()
		if f.Latency > 0 {
			t := time.NewTimer(f.Latency)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		switch {
		case chance(f.DropRate):
			dropConnection(w)
		case chance(f.ErrorRate):
			fail(w, f.ErrorStatus)
		default:
			h.ServeHTTP(w, r)
		}
	})
}

// failEnvelope writes an injected failure as the API's error envelope.
func failEnvelope(w http.ResponseWriter, status int) {
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	writeFailure(w, status, fmt.Sprintf("injected fault: HTTP %d", status))
}

// failOAuth writes an injected failure as the token endpoint's error body.
func failOAuth(w http.ResponseWriter, status int) {
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	writeJSON(w, status, oauthError{"temporarily_unavailable", fmt.Sprintf("injected fault: HTTP %d", status)})
}

// dropConnection closes the client's connection without an answer: by
// hijacking it (HTTP/1.x), else by aborting the handler, which net/http
// turns into a reset stream or closed connection without logging.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}
