package main

import (
	"regexp"
	"strconv"
	"sync"
	"time"
)

// gcLine matches the heap figures of a GODEBUG=gctrace=1 line (runtime
// package documentation): "gc N @Ts P%: ... A->B->C MB, D MB goal, ...",
// where C is the live heap marked by that GC, in MiB.
var gcLine = regexp.MustCompile(`^gc (\d+) @[0-9.]+s .* (\d+)->(\d+)->(\d+) MB, (\d+) MB goal`)

// gcTrace collects the GC lines of a process's stderr.
type gcTrace struct {
	mu sync.Mutex
	// cycles counts GC lines seen.
	cycles int
	// lastLiveMiB is the live heap after the latest GC, peakLiveMiB the
	// highest of them; lastAt is when the latest line was read.
	lastLiveMiB, peakLiveMiB int64
	lastAt                   time.Time
}

// add records line when it is a GC trace and reports whether it was.
func (g *gcTrace) add(line string) bool {
	m := gcLine.FindStringSubmatch(line)
	if m == nil {
		return false
	}
	live, err := strconv.ParseInt(m[4], 10, 64)
	if err != nil {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.cycles++
	g.lastLiveMiB, g.peakLiveMiB, g.lastAt = live, max(g.peakLiveMiB, live), time.Now()
	return true
}

// snapshot returns the GC count and the live heap after the latest GC.
func (g *gcTrace) snapshot() (cycles int, lastLiveMiB, peakLiveMiB int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.cycles, g.lastLiveMiB, g.peakLiveMiB
}
