package controller

import (
	"sync"
	"time"
)

// Repeated revocations of one object's certificates are acted on with a
// growing hold: a PCA that lists every serial it issued as revoked (a
// hostile or broken one; a tenant chooses it) would otherwise have a
// Certificate renewed every check interval, as often as every second, and
// cert-manager keep a new CertificateRequest each time. The first
// revocation is acted on at once; each further one within
// actedStreakWindow of the previous act waits actedHoldBase, doubled per
// act in a row, at most actedHoldMax.
const (
	actedHoldBase     = time.Minute
	actedHoldMax      = time.Hour
	actedStreakWindow = time.Hour
)

// actedEntry is the last revocation acted on for one object.
type actedEntry struct {
	serial string
	at     time.Time
	// streak counts the acts in a row, each within actedStreakWindow
	// (plus its hold) of the previous one.
	streak int
}

// hold is how long after e's act another revocation waits.
func (e actedEntry) hold() time.Duration {
	if e.streak == 0 {
		return 0
	}
	return min(actedHoldBase<<min(e.streak-1, 10), actedHoldMax)
}

// actedLog records, per checked object, the revocation last acted on, so
// that each serial is acted on once and repeated ones are held.
type actedLog struct {
	mu sync.Mutex
	m  map[checkKey]actedEntry
}

func newActedLog() *actedLog { return &actedLog{m: map[checkKey]actedEntry{}} }

// due reports whether a revocation of serial of key may be acted on at
// now: false when serial was acted on already (wait 0), or when the hold
// of the previous act runs (wait until it ends).
func (l *actedLog) due(key checkKey, serial string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.m[key]
	if e.serial == serial {
		return false, 0
	}
	if until := e.at.Add(e.hold()); now.Before(until) {
		return false, until.Sub(now)
	}
	return true, 0
}

// record notes the act on serial of key at now.
func (l *actedLog) record(key checkKey, serial string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.m[key]
	streak := 1
	if !e.at.IsZero() && now.Sub(e.at) <= actedStreakWindow+e.hold() {
		streak = e.streak + 1
	}
	l.m[key] = actedEntry{serial: serial, at: now, streak: streak}
}

// forget drops what is kept about a deleted object.
func (l *actedLog) forget(key checkKey) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.m, key)
}
