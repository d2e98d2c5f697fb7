package controller

import (
	"math/rand/v2"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
)

// checkKey names one object whose certificate is checked: a Certificate
// (namespace/name) or a Kubernetes CSR (name).
type checkKey struct {
	kind string
	types.NamespacedName
}

// checkSchedule spreads revocation checks over time: an object first seen
// is checked at a random point of its first interval (so a restart with a
// thousand Certificates does not check them all at once), and each check
// schedules the next one interval later, give or take a tenth (so they
// stay spread). Everything is in memory; a restart spreads them anew.
type checkSchedule struct {
	// rand returns a number in [0, n); rand.Int64N outside tests.
	rand func(n int64) int64

	mu  sync.Mutex
	due map[checkKey]time.Time
}

func newCheckSchedule() *checkSchedule {
	return &checkSchedule{rand: rand.Int64N, due: map[checkKey]time.Time{}}
}

// wait returns how long until key's next check (zero or less: now). An
// object first seen, or whose due time lies beyond a (shortened) interval,
// gets a random due time within the next interval.
func (s *checkSchedule) wait(key checkKey, now time.Time, interval time.Duration) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	due, ok := s.due[key]
	if !ok || due.Sub(now) > interval+interval/10 {
		due = now.Add(time.Duration(s.rand(int64(interval))))
		s.due[key] = due
	}
	return due.Sub(now)
}

// checked records a check of key at now and returns the wait until the
// next: interval, plus or minus a tenth of it at random.
func (s *checkSchedule) checked(key checkKey, now time.Time, interval time.Duration) time.Duration {
	next := interval - interval/10 + time.Duration(s.rand(int64(interval/5)+1))
	s.mu.Lock()
	s.due[key] = now.Add(next)
	s.mu.Unlock()
	return next
}

// dueAt makes key's next check due at t.
func (s *checkSchedule) dueAt(key checkKey, t time.Time) {
	s.mu.Lock()
	s.due[key] = t
	s.mu.Unlock()
}

// forget drops a deleted object.
func (s *checkSchedule) forget(key checkKey) {
	s.mu.Lock()
	delete(s.due, key)
	s.mu.Unlock()
}
