package main

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPercentileIsNearestRank(t *testing.T) {
	values := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, tc := range []struct {
		p    float64
		want float64
	}{
		{50, 5}, {95, 10}, {99, 10}, {10, 1}, {11, 2}, {0, 1}, {100, 10},
	} {
		if got := percentile(values, tc.p); got != tc.want {
			t.Errorf("percentile(1..10, %v) = %v, want %v", tc.p, got, tc.want)
		}
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("percentile of nothing = %v, want 0", got)
	}
}

func TestSummarizeSortsAndAverages(t *testing.T) {
	got := summarize([]float64{3, 1, 2, 4})
	want := latencySummary{P50: 2, P95: 4, P99: 4, Max: 4, Mean: 2.5}
	if got != want {
		t.Errorf("summarize = %+v, want %+v", got, want)
	}
}

func TestTimingMeasuresFromFirstCreateToLastReady(t *testing.T) {
	t0 := time.Unix(1000, 0)
	tm := timing{
		created: map[string]time.Time{"a": t0, "b": t0.Add(time.Second), "c": t0.Add(2 * time.Second)},
		ready:   map[string]time.Time{"a": t0.Add(2 * time.Second), "b": t0.Add(4 * time.Second)},
	}
	lat, throughput, wall, err := tm.latencies()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(lat)
	if !slices.Equal(lat, []float64{2, 3}) {
		t.Errorf("latencies %v, want [2 3] (c never Ready)", lat)
	}
	if wall != 4*time.Second || throughput != 0.5 {
		t.Errorf("wall %v throughput %v, want 4s and 0.5/s", wall, throughput)
	}
	if _, _, _, err := (timing{created: tm.created}).latencies(); err == nil {
		t.Error("no Ready object: want an error")
	}
}

func TestParseStatCPUCountsAfterTheName(t *testing.T) {
	// A command name with spaces and parentheses; utime 250, stime 50.
	stat := "4242 (pca issuer (x)) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 9 0 100 0 0"
	got, err := parseStatCPU(stat)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got-3.0) > 1e-9 {
		t.Errorf("cpu = %v s, want 3", got)
	}
	if _, err := parseStatCPU("4242 no parenthesis"); err == nil {
		t.Error("malformed stat: want an error")
	}
}

func TestStatusKB(t *testing.T) {
	status := "Name:\tpca-issuer\nVmHWM:\t   51200 kB\nVmRSS:\t   40960 kB\n"
	if got, err := statusKB(status, "VmHWM"); err != nil || got != 50<<20 {
		t.Errorf("VmHWM = %d, %v; want %d", got, err, 50<<20)
	}
	if _, err := statusKB(status, "VmSwap"); err == nil {
		t.Error("missing key: want an error")
	}
}

func TestGCTraceReadsTheLiveHeap(t *testing.T) {
	var g gcTrace
	lines := []string{
		"gc 1 @0.012s 3%: 0.010+1.2+0.003 ms clock, 0.020+0.1/0.5/0+0.006 ms cpu, 4->4->1 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P",
		`{"level":"info","msg":"Starting workers"}`,
		"gc 2 @2.5s 1%: 0.01+2+0.01 ms clock, 0.03+0/1/0+0.02 ms cpu, 30->31->17 MB, 32 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)",
	}
	var traced int
	for _, l := range lines {
		if g.add(l) {
			traced++
		}
	}
	cycles, last, peak := g.snapshot()
	if traced != 2 || cycles != 2 || last != 17 || peak != 17 {
		t.Errorf("traced %d, cycles %d, last %d MiB, peak %d MiB; want 2, 2, 17, 17", traced, cycles, last, peak)
	}
}

func TestParseConfig(t *testing.T) {
	c, err := parseConfig([]string{"-quick", "-latency", "0,50ms", "-max-concurrent-reconciles", "1, 16"})
	if err != nil {
		t.Fatal(err)
	}
	if c.n != 100 || !slices.Equal(c.latencies, []time.Duration{0, 50 * time.Millisecond}) || !slices.Equal(c.reconciles, []int{1, 16}) {
		t.Errorf("config %+v", c)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"negative latency", []string{"-latency", "-5ms"}, "negative"},
		{"zero reconciles", []string{"-max-concurrent-reconciles", "0"}, "at least 1"},
		{"nothing to run", []string{"-n", "0"}, "nothing to run"},
		{"unparsable list", []string{"-latency", "fast"}, "-latency"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseConfig(tc.args)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestWithRatiosDividesByTheBuiltinRun(t *testing.T) {
	runs := withRatios([]runResult{
		{Issuer: issuerBuiltinCA, Throughput: 20},
		{Issuer: issuerPCA, Throughput: 15},
	})
	if runs[0].ThroughputRatio != 0 || runs[1].ThroughputRatio != 0.75 {
		t.Errorf("ratios %v and %v, want 0 (reference) and 0.75", runs[0].ThroughputRatio, runs[1].ThroughputRatio)
	}
}

func TestPerCertificateSplitsIssuanceFromOtherCalls(t *testing.T) {
	issuance, other := perCertificate(map[string]int{"IssueWithTemplate": 100, "Token": 1, "GetTemplate": 4}, 100)
	if issuance != 1 || other != 0.05 {
		t.Errorf("issuance %v other %v, want 1 and 0.05", issuance, other)
	}
}
