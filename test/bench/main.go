// Command bench measures pca-issuer under load on the end-to-end harness
// (a real kube-apiserver and etcd, cert-manager in-process, the PCA
// emulator over TLS) and compares it with cert-manager's built-in CA
// issuer, which signs in-process and so is the practical ceiling of any
// issuer in the same cluster.
//
// Each run creates N Certificates at once and records, by the benchmark's
// own clock, when each create was sent and when a watch first saw the
// Certificate Ready. The pca-issuer manager runs as its own process (built
// from ./cmd/pca-issuer), so that its CPU time, RSS and heap are its own.
// Output: a Markdown table on stdout, bench.json and latency.png in -out.
//
// It is a module of its own (test/bench/go.mod), so that its chart library
// stays out of the product's go.mod; run it from the repository root with
//
//	go -C test/bench run .                      # 500 Certificates, +50 ms per PCA call, 16 reconciles
//	go -C test/bench run . -quick               # 100 Certificates
//	go -C test/bench run . -latency 0,50ms -max-concurrent-reconciles 1,16
//	go -C test/bench run . -n 0 -finished-requests 5000
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/nhnpca/pca-issuer/test/harness"
)

func main() {
	cfg, err := parseConfig(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		stop()
		os.Exit(1)
	}
}

// run starts the harness, runs what cfg asks and writes the outputs. A run
// that falls short is reported, and makes run fail after the outputs are
// written.
func run(ctx context.Context, cfg config) (err error) {
	if cfg.out == "" {
		// Beside the repository's other outputs (and .gitignore'd), not
		// in the benchmark's module, which go -C makes the working folder.
		root, err := harness.RepoRoot()
		if err != nil {
			return err
		}
		cfg.out = filepath.Join(root, "_bench")
	}
	if err := os.MkdirAll(cfg.out, 0o755); err != nil {
		return err
	}
	rep := report{Command: strings.TrimSpace("go -C test/bench run . " + strings.Join(os.Args[1:], " ")), Machine: thisMachine(), Started: time.Now().UTC()}
	b, cleanup, err := setup(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := cleanup(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	var failures []string
	fail := func(what string, err error) {
		if err != nil {
			progress("%s fell short: %v", what, err)
			failures = append(failures, fmt.Sprintf("%s: %v", what, err))
		}
	}
	if cfg.n > 0 {
		rep.Runs = b.runAll(ctx, fail)
	}
	if cfg.finishedRequests > 0 {
		progress("memory run: %d CertificateRequests issued through the PCAIssuer", cfg.finishedRequests)
		mem, err := b.runFinished(ctx, cfg.reconciles[len(cfg.reconciles)-1])
		fail("memory run", err)
		rep.FinishedRequests = &mem
	}
	if err := writeOutputs(cfg, rep); err != nil {
		return err
	}
	if len(failures) > 0 {
		return fmt.Errorf("%d run(s) fell short:\n%s", len(failures), strings.Join(failures, "\n"))
	}
	return nil
}

// setup starts the harness with cert-manager's CA issuer and builds the
// manager; cleanup stops the harness.
func setup(ctx context.Context, cfg config) (*bench, func() error, error) {
	progress("starting the harness")
	h, err := harness.Start(harness.Options{BuiltinCA: true, Progress: progress})
	if err != nil {
		return nil, nil, err
	}
	root, err := harness.RepoRoot()
	if err != nil {
		return nil, nil, joinStop(err, h)
	}
	dir, err := os.MkdirTemp("", "pca-issuer-bench-")
	if err != nil {
		return nil, nil, joinStop(err, h)
	}
	cleanup := func() error { return joinStop(os.RemoveAll(dir), h) }
	b := &bench{cfg: cfg, h: h}
	progress("building ./cmd/pca-issuer")
	if b.plainBin.path, err = buildManager(ctx, root, dir); err != nil {
		return nil, nil, joinStop(err, h)
	}
	if cfg.pprof || cfg.finishedRequests > 0 {
		progress("building ./cmd/pca-issuer with pprof")
		if b.profBin.path, err = buildProfilingManager(ctx, root, dir); err != nil {
			return nil, nil, joinStop(err, h)
		}
		b.profBin.profiling = true
	}
	return b, cleanup, nil
}

// runAll runs the built-in CA issuer, then a PCAIssuer run for each
// latency and concurrency, and sets the throughput ratios.
func (b *bench) runAll(ctx context.Context, fail func(string, error)) []runResult {
	if b.cfg.warmup > 0 {
		progress("warm-up: %d Certificates through cert-manager's CA issuer", b.cfg.warmup)
		fail("warm-up", b.warmUp(ctx))
	}
	progress("run: %d Certificates through cert-manager's CA issuer", b.cfg.n)
	builtin, err := b.runBuiltin(ctx)
	fail(builtin.Name, err)
	runs := []runResult{builtin}
	for _, latency := range b.cfg.latencies {
		for _, reconciles := range b.cfg.reconciles {
			progress("run: %d Certificates through a PCAIssuer, +%s per PCA call, %d concurrent reconciles", b.cfg.n, latency, reconciles)
			res, err := b.runPCA(ctx, latency, reconciles)
			fail(res.Name, err)
			runs = append(runs, res)
		}
	}
	return withRatios(runs)
}

// writeOutputs prints the tables and writes bench.json and latency.png.
func writeOutputs(cfg config, rep report) error {
	if err := writeMarkdown(os.Stdout, rep); err != nil {
		return err
	}
	path, err := writeJSON(cfg.out, rep)
	if err != nil {
		return err
	}
	progress("wrote %s", path)
	if len(rep.Runs) > 0 {
		chart, err := writeChart(cfg.out, rep.Runs)
		if err != nil {
			return err
		}
		progress("wrote %s", chart)
	}
	return nil
}

// joinStop stops the harness and joins its error to err.
func joinStop(err error, h *harness.Harness) error {
	if serr := h.Stop(); serr != nil {
		return errors.Join(err, fmt.Errorf("stopping the harness: %w", serr))
	}
	return err
}

// progress writes a timestamped line to stderr.
func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}
