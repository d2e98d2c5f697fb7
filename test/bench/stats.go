package main

import (
	"errors"
	"math"
	"slices"
	"time"
)

// latencySummary describes creation-to-Ready latencies, in seconds.
type latencySummary struct {
	P50  float64 `json:"p50Seconds"`
	P95  float64 `json:"p95Seconds"`
	P99  float64 `json:"p99Seconds"`
	Max  float64 `json:"maxSeconds"`
	Mean float64 `json:"meanSeconds"`
}

// percentile returns the p-th percentile (0..100) of sorted values by the
// nearest-rank method: the smallest value with at least p% of the values
// at or below it. It returns 0 for no values.
func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// summarize sorts values in place and summarizes them.
func summarize(values []float64) latencySummary {
	if len(values) == 0 {
		return latencySummary{}
	}
	slices.Sort(values)
	sum := 0.0
	for _, v := range values {
		sum += v
	}
	return latencySummary{
		P50: percentile(values, 50), P95: percentile(values, 95), P99: percentile(values, 99),
		Max: values[len(values)-1], Mean: sum / float64(len(values)),
	}
}

// timing pairs, per object name, when the create was sent and when the
// object was first seen Ready.
type timing struct {
	created, ready map[string]time.Time
}

// latencies returns every Ready object's latency in seconds, and the
// throughput: objects per second from the first create sent to the last
// Ready seen. It fails when no object was Ready.
func (t timing) latencies() (lat []float64, throughput float64, wall time.Duration, err error) {
	var first, last time.Time
	for name, c := range t.created {
		if first.IsZero() || c.Before(first) {
			first = c
		}
		r, ok := t.ready[name]
		if !ok {
			continue
		}
		lat = append(lat, r.Sub(c).Seconds())
		if r.After(last) {
			last = r
		}
	}
	if len(lat) == 0 {
		return nil, 0, 0, errors.New("no object became Ready")
	}
	wall = last.Sub(first)
	return lat, float64(len(lat)) / wall.Seconds(), wall, nil
}
