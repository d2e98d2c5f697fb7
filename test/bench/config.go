package main

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// config is the benchmark's command line.
type config struct {
	// n Certificates per issuer run; 0 skips the throughput runs.
	n int
	// latencies are the emulator's added latencies, one PCAIssuer run each
	// (crossed with reconciles).
	latencies []time.Duration
	// reconciles are the manager's --max-concurrent-reconciles values.
	reconciles []int
	// finishedRequests > 0 adds the memory run: that many issued
	// CertificateRequests, then the manager's heap.
	finishedRequests int
	// out is the folder of bench.json and latency.png.
	out string
	// timeout bounds each run's wait for Ready.
	timeout time.Duration
	// creators is how many goroutines create the objects of a run.
	creators int
	// pprof profiles the manager's CPU during each PCAIssuer run.
	pprof bool
	// warmup Certificates go through the CA issuer, unmeasured, first.
	warmup int
}

// parseConfig reads the flags of args (without the program name).
func parseConfig(args []string) (config, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	var c config
	var latencies, reconciles string
	quick := fs.Bool("quick", false, "Fast check: 100 Certificates per run (overrides -n).")
	fs.IntVar(&c.n, "n", 500, "Certificates created at once per issuer run; 0 skips the throughput runs.")
	fs.StringVar(&latencies, "latency", "50ms", "Added PCA API latency of the emulator; a comma-separated list runs each (e.g. 0,50ms).")
	fs.StringVar(&reconciles, "max-concurrent-reconciles", "16", "The manager's --max-concurrent-reconciles; a comma-separated list runs each (e.g. 1,16).")
	fs.IntVar(&c.finishedRequests, "finished-requests", 0, "Also measure the manager's heap with this many issued CertificateRequests in the cluster (e.g. 5000).")
	fs.StringVar(&c.out, "out", "", "Folder for bench.json and latency.png (default _bench at the repository root).")
	fs.DurationVar(&c.timeout, "timeout", 10*time.Minute, "How long one run may wait for every object to be Ready.")
	fs.IntVar(&c.creators, "creators", 32, "Goroutines creating a run's objects at once.")
	fs.BoolVar(&c.pprof, "pprof", false, "Profile the manager's CPU during each PCAIssuer run into -out (manager-cpu-<run>-<k>.pprof; give them all to go tool pprof).")
	fs.IntVar(&c.warmup, "warmup", 20, "Certificates issued through the CA issuer, unmeasured, before the first run.")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if *quick {
		c.n = 100
	}
	var err error
	if c.latencies, err = parseList(latencies, time.ParseDuration); err != nil {
		return config{}, fmt.Errorf("-latency: %w", err)
	}
	if c.reconciles, err = parseList(reconciles, strconv.Atoi); err != nil {
		return config{}, fmt.Errorf("-max-concurrent-reconciles: %w", err)
	}
	return c, c.validate()
}

// validate refuses values no run can use.
func (c config) validate() error {
	switch {
	case c.n < 0:
		return errors.New("-n must not be negative")
	case c.finishedRequests < 0:
		return errors.New("-finished-requests must not be negative")
	case c.n == 0 && c.finishedRequests == 0:
		return errors.New("nothing to run: -n and -finished-requests are both 0")
	case c.warmup < 0:
		return errors.New("-warmup must not be negative")
	case c.creators < 1:
		return errors.New("-creators must be at least 1")
	case c.timeout <= 0:
		return errors.New("-timeout must be positive")
	}
	for _, l := range c.latencies {
		if l < 0 {
			return fmt.Errorf("-latency %v is negative", l)
		}
	}
	for _, r := range c.reconciles {
		if r < 1 {
			return fmt.Errorf("-max-concurrent-reconciles %d must be at least 1", r)
		}
	}
	return nil
}

// parseList parses a comma-separated list; "0" is a valid duration.
func parseList[T any](s string, parse func(string) (T, error)) ([]T, error) {
	var out []T
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		v, err := parse(part)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, errors.New("empty list")
	}
	return out, nil
}
