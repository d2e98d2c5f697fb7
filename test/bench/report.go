package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// report is the benchmark's whole output, written as bench.json.
type report struct {
	// Command is the command line the figures came from.
	Command string      `json:"command"`
	Machine machine     `json:"machine"`
	Started time.Time   `json:"started"`
	Runs    []runResult `json:"runs"`
	// FinishedRequests is the memory run, when asked for.
	FinishedRequests *memoryResult `json:"finishedRequests,omitempty"`
}

// machine describes where the figures were measured.
type machine struct {
	CPUs      int    `json:"cpus"`
	GOOS      string `json:"goos"`
	GOARCH    string `json:"goarch"`
	GoVersion string `json:"goVersion"`
	// LoadAverage is /proc/loadavg's 1-minute figure at the start: the
	// machine may be shared.
	LoadAverage string `json:"loadAverage,omitempty"`
}

func thisMachine() machine {
	m := machine{CPUs: runtime.NumCPU(), GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, GoVersion: runtime.Version()}
	if data, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(data)); len(f) > 0 {
			m.LoadAverage = f[0]
		}
	}
	return m
}

// writeJSON writes r as indented JSON to dir/bench.json.
func writeJSON(dir string, r report) (string, error) {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "bench.json")
	return path, os.WriteFile(path, append(data, '\n'), 0o644)
}

// writeMarkdown writes the runs and the memory run as Markdown tables.
func writeMarkdown(w io.Writer, r report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "`%s` on %d CPUs (%s/%s, %s, load %s)\n\n", r.Command, r.Machine.CPUs, r.Machine.GOOS, r.Machine.GOARCH, r.Machine.GoVersion, r.Machine.LoadAverage)
	if len(r.Runs) > 0 {
		b.WriteString("| Issuer | Added latency | Reconciles | Ready | Throughput (cert/s) | Ratio to CA issuer | p50 (s) | p95 (s) | p99 (s) | max (s) | Issue calls/cert (/request) | Other calls/cert | Manager CPU (s) | Manager peak RSS (MiB) | Manager peak heap in use (MiB) |\n")
		b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
		for _, run := range r.Runs {
			writeRunRow(&b, run)
		}
		for _, run := range r.Runs {
			fmt.Fprintf(&b, "\n%s: %d CertificateRequests for %d Certificates.", run.Name, run.CertificateRequests, run.Certificates)
			if len(run.APICalls) > 0 {
				fmt.Fprintf(&b, " PCA API calls: %s.", formatCalls(run.APICalls))
			}
			if run.Error != "" {
				fmt.Fprintf(&b, "\n**%s fell short:** %s", run.Name, run.Error)
			}
		}
		b.WriteString("\n")
	}
	if m := r.FinishedRequests; m != nil {
		b.WriteString("\n| Finished CertificateRequests | Issued in (s) | Live heap after GC (MiB) | Heap in use (MiB) | Heap alloc (MiB) | RSS (MiB) | Peak RSS (MiB) |\n|---|---|---|---|---|---|---|\n")
		fmt.Fprintf(&b, "| %d of %d | %.1f | %s | %s | %s | %s | %s |\n", m.Issued, m.Requests, m.IssueSeconds,
			mib(m.LiveHeapBytes), mib(m.HeapInuseBytes), mib(m.HeapAllocBytes), mib(m.RSSBytes), mib(m.PeakRSSBytes))
		if m.Error != "" {
			fmt.Fprintf(&b, "\n**The memory run fell short:** %s\n", m.Error)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeRunRow(b *strings.Builder, run runResult) {
	latency, reconciles, ratio, calls, other := "—", "—", "1 (reference)", "—", "—"
	cpu, rss, heap := "—", "—", "—"
	if run.Issuer == issuerPCA {
		latency = fmt.Sprintf("%g ms", run.AddedLatencyMs)
		reconciles = fmt.Sprint(run.MaxConcurrentReconciles)
		ratio = fmt.Sprintf("%.2f", run.ThroughputRatio)
		calls = fmt.Sprintf("%.3f (%.3f)", run.IssuanceCallsPerCertificate, run.IssuanceCallsPerRequest)
		other = fmt.Sprintf("%.3f", run.OtherCallsPerCertificate)
	}
	if m := run.Manager; m != nil {
		cpu, rss, heap = fmt.Sprintf("%.1f", m.CPUSeconds), mib(m.PeakRSSBytes), mib(m.PeakHeapInuseBytes)
	}
	fmt.Fprintf(b, "| %s | %s | %s | %d/%d | %.1f | %s | %.2f | %.2f | %.2f | %.2f | %s | %s | %s | %s | %s |\n",
		run.Issuer, latency, reconciles, run.Ready, run.Certificates, run.Throughput, ratio,
		run.Latency.P50, run.Latency.P95, run.Latency.P99, run.Latency.Max, calls, other, cpu, rss, heap)
}

// formatCalls lists call counts as "Op=n, ..." in operation order.
func formatCalls(calls map[string]int) string {
	parts := make([]string, 0, len(calls))
	for _, op := range sortedOps(calls) {
		parts = append(parts, fmt.Sprintf("%s=%d", op, calls[op]))
	}
	return strings.Join(parts, ", ")
}

// mib formats bytes in MiB with one decimal.
func mib(bytes int64) string { return fmt.Sprintf("%.1f", float64(bytes)/(1<<20)) }
