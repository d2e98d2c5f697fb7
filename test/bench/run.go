package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sync"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/emulator"
	"github.com/nhnpca/pca-issuer/test/harness"
)

// Issuer names of runResult.Issuer.
const (
	issuerBuiltinCA = "builtin-ca"
	issuerPCA       = "pca"
)

// runResult is one issuer run: N Certificates created at once.
type runResult struct {
	Name   string `json:"name"`
	Issuer string `json:"issuer"`
	// AddedLatencyMs is the emulator's added latency per PCA API call.
	AddedLatencyMs          float64 `json:"addedLatencyMs"`
	MaxConcurrentReconciles int     `json:"maxConcurrentReconciles,omitempty"`
	Certificates            int     `json:"certificates"`
	Ready                   int     `json:"ready"`
	// CertificateRequests counts the distinct CertificateRequests
	// cert-manager created during the run (more than Certificates when it
	// made duplicates, which any issuer then signs).
	CertificateRequests int `json:"certificateRequests"`
	// WallSeconds runs from the first create sent to the last Ready seen.
	WallSeconds float64 `json:"wallSeconds"`
	// Throughput is Ready Certificates per second over WallSeconds.
	Throughput float64 `json:"throughputPerSecond"`
	// ThroughputRatio is Throughput over the built-in CA issuer's.
	ThroughputRatio float64        `json:"throughputRatioToBuiltinCA,omitempty"`
	Latency         latencySummary `json:"latency"`
	// APICalls counts PCA API calls during the run by operation (emulator
	// operation names); the per-certificate figures split issuance from
	// the rest.
	APICalls                    map[string]int `json:"pcaApiCalls,omitempty"`
	IssuanceCallsPerCertificate float64        `json:"issuanceCallsPerCertificate,omitempty"`
	// IssuanceCallsPerRequest divides by CertificateRequests instead: 1
	// is exactly once per request.
	IssuanceCallsPerRequest  float64 `json:"issuanceCallsPerRequest,omitempty"`
	OtherCallsPerCertificate float64 `json:"otherCallsPerCertificate,omitempty"`
	// Manager is the pca-issuer process's usage during the run.
	Manager *managerUsage `json:"manager,omitempty"`
	// HarnessCPUSeconds is this process's CPU during the run: cert-manager,
	// the emulator and the benchmark's watchers.
	HarnessCPUSeconds float64 `json:"harnessCpuSeconds"`
	// CPUProfiles are the manager's CPU profiles of the run (-pprof).
	CPUProfiles []string `json:"cpuProfiles,omitempty"`
	// Error says why the run fell short, when it did.
	Error string `json:"error,omitempty"`
	// LatenciesSeconds are every Ready Certificate's latency, sorted.
	LatenciesSeconds []float64 `json:"latenciesSeconds"`
}

// managerUsage is the manager process's CPU and memory over a run.
type managerUsage struct {
	CPUSeconds   float64 `json:"cpuSeconds"`
	PeakRSSBytes int64   `json:"peakRssBytes"`
	// PeakHeapInuseBytes and PeakHeapAllocBytes are the highest
	// go_memstats_heap_inuse_bytes and _alloc_bytes scraped every second.
	PeakHeapInuseBytes int64 `json:"peakHeapInuseBytes"`
	PeakHeapAllocBytes int64 `json:"peakHeapAllocBytes"`
	// PeakLiveHeapBytes is the highest live heap a GC marked (gctrace).
	PeakLiveHeapBytes int64 `json:"peakLiveHeapBytes"`
	GCCycles          int   `json:"gcCycles"`
}

// bench holds what every run shares.
type bench struct {
	cfg config
	h   *harness.Harness
	// plainBin is ./cmd/pca-issuer as built; profBin adds pprof (see
	// pprofSource) and is built only when a run needs it.
	plainBin, profBin managerBinary
}

// runBuiltin issues N Certificates through cert-manager's CA issuer.
func (b *bench) runBuiltin(ctx context.Context) (runResult, error) {
	ns := "bench-builtin-ca"
	res := runResult{Name: "cert-manager CA issuer", Issuer: issuerBuiltinCA, Certificates: b.cfg.n}
	if _, err := b.h.CreateCAIssuer(ctx, ns, "ca"); err != nil {
		return res, err
	}
	defer b.cleanup(ns)
	cpu0 := selfCPU()
	err := b.issue(ctx, &res, ns, func(name string) client.Object { return harness.CACertificate(ns, name, "ca") })
	res.HarnessCPUSeconds = selfCPU() - cpu0
	return res, err
}

// warmUp issues cfg.warmup Certificates through the CA issuer, unmeasured,
// so that the first measured run does not pay for cold caches.
func (b *bench) warmUp(ctx context.Context) error {
	ns := "bench-warmup"
	if _, err := b.h.CreateCAIssuer(ctx, ns, "ca"); err != nil {
		return err
	}
	defer b.cleanup(ns)
	res := runResult{Certificates: b.cfg.warmup}
	return b.issue(ctx, &res, ns, func(name string) client.Object { return harness.CACertificate(ns, name, "ca") })
}

// runPCA issues N Certificates through a PCAIssuer served by a manager
// process with the given concurrency, the emulator adding latency.
func (b *bench) runPCA(ctx context.Context, latency time.Duration, reconciles int) (res runResult, err error) {
	ns := fmt.Sprintf("bench-pca-%dms-%d", latency.Milliseconds(), reconciles)
	res = runResult{
		Name:   fmt.Sprintf("PCAIssuer, +%s per call, %d reconciles", latency, reconciles),
		Issuer: issuerPCA, AddedLatencyMs: float64(latency) / float64(time.Millisecond),
		MaxConcurrentReconciles: reconciles, Certificates: b.cfg.n,
	}
	bin := b.plainBin
	if b.cfg.pprof {
		bin = b.profBin
	}
	m, err := startManager(ctx, bin, b.h.ChartKubeconfig, b.h.ClusterResourceNamespace, reconciles)
	if err != nil {
		return res, err
	}
	defer func() { err = errors.Join(err, m.stop()) }()
	if err := b.createPCAIssuer(ctx, ns, "pca"); err != nil {
		return res, err
	}
	defer b.cleanup(ns)
	if m.pprofAddr != "" {
		prof := startCPUProfiles(ctx, m.pprofAddr, filepath.Join(b.cfg.out, fmt.Sprintf("manager-cpu-%dms-%d", latency.Milliseconds(), reconciles)))
		defer func() {
			files, perr := prof.stop()
			res.CPUProfiles, err = files, errors.Join(err, perr)
		}()
	}
	b.h.Emulator.SetFaults(emulator.Faults{Latency: latency})
	defer b.h.Emulator.SetFaults(emulator.Faults{})
	b.h.Emulator.ResetAPICallCounts()

	peaks := pollHeap(ctx, m.metricsAddr)
	before, err := readProc(m.cmd.Process.Pid)
	if err != nil {
		return res, err
	}
	cpu0 := selfCPU()
	issueErr := b.issue(ctx, &res, ns, func(name string) client.Object { return harness.Certificate(ns, name, "pca") })
	res.HarnessCPUSeconds = selfCPU() - cpu0
	after, err := readProc(m.cmd.Process.Pid)
	if err != nil {
		return res, err
	}
	inuse, alloc := peaks.stop()
	cycles, _, peakLive := m.gc.snapshot()
	res.Manager = &managerUsage{
		CPUSeconds: after.cpuSeconds - before.cpuSeconds, PeakRSSBytes: after.peakRSSBytes,
		PeakHeapInuseBytes: inuse, PeakHeapAllocBytes: alloc, PeakLiveHeapBytes: peakLive << 20, GCCycles: cycles,
	}
	res.APICalls = b.h.Emulator.APICallCounts()
	res.IssuanceCallsPerCertificate, res.OtherCallsPerCertificate = perCertificate(res.APICalls, b.cfg.n)
	res.IssuanceCallsPerRequest, _ = perCertificate(res.APICalls, res.CertificateRequests)
	return res, issueErr
}

// perCertificate splits the call counts into issuance calls and all
// others, each per certificate.
func perCertificate(calls map[string]int, n int) (issuance, other float64) {
	if n == 0 {
		return 0, 0
	}
	var rest int
	for op, c := range calls {
		if op != emulator.OpIssueWithTemplate {
			rest += c
		}
	}
	return float64(calls[emulator.OpIssueWithTemplate]) / float64(n), float64(rest) / float64(n)
}

// issue creates res.Certificates objects named crt-0..crt-(N-1) at once, waits for all to
// be Ready and fills res's timing figures. A run that times out still
// reports what was Ready, with the error.
func (b *bench) issue(ctx context.Context, res *runResult, ns string, newObj func(name string) client.Object) error {
	tracker := newReadyTracker(res.Certificates)
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := watchReady(wctx, b.h.Config, ns, watchCertificates, tracker); err != nil {
		return err
	}
	requests := newReadyTracker(0)
	if err := watchReady(wctx, b.h.Config, ns, watchRequests, requests); err != nil {
		return err
	}
	defer func() { res.CertificateRequests = requests.distinct() }()
	created, createErr := b.createAll(ctx, res.Certificates, func(i int) (client.Object, error) { return newObj(fmt.Sprintf("crt-%d", i)), nil })
	waitErr := createErr
	if waitErr == nil {
		waitErr = tracker.wait(ctx, b.cfg.timeout)
	}
	lat, throughput, wall, err := timing{created: created, ready: tracker.readyAt()}.latencies()
	if err != nil {
		return errors.Join(waitErr, err)
	}
	res.Ready, res.Throughput, res.WallSeconds = len(lat), throughput, wall.Seconds()
	res.Latency = summarize(lat)
	res.LatenciesSeconds = lat
	if waitErr != nil {
		res.Error = waitErr.Error()
	}
	return waitErr
}

// createAll creates n objects with cfg.creators goroutines and returns,
// by name, when each create was sent. It stops at the first error.
func (b *bench) createAll(ctx context.Context, n int, newObj func(i int) (client.Object, error)) (map[string]time.Time, error) {
	var mu sync.Mutex
	created := make(map[string]time.Time, n)
	var firstErr error
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(b.cfg.creators, max(n, 1)) {
		wg.Go(func() {
			for i := range next {
				obj, err := newObj(i)
				sent := time.Now()
				if err == nil {
					if err = b.h.Client.Create(ctx, obj); err != nil {
						err = fmt.Errorf("creating %T %s: %w", obj, obj.GetName(), err)
					}
				}
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if err == nil {
					created[obj.GetName()] = sent
				}
				mu.Unlock()
			}
		})
	}
	for i := range n {
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return created, firstErr
}

// createPCAIssuer creates the credentials Secret and a PCAIssuer with a
// client rate limit high enough not to be what is measured, and waits for
// it to be Ready.
func (b *bench) createPCAIssuer(ctx context.Context, ns, name string) error {
	if err := b.h.CreateNamespace(ctx, ns); err != nil {
		return err
	}
	secret := b.h.CredentialsSecret(ns, name+"-credentials")
	if err := client.IgnoreAlreadyExists(b.h.Client.Create(ctx, secret)); err != nil {
		return err
	}
	spec := b.h.IssuerSpec(secret.Name)
	spec.RateLimit = &v1alpha1.RateLimit{RequestsPerSecond: 1000, Burst: 1000}
	iss := &v1alpha1.PCAIssuer{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: spec}
	if err := b.h.Client.Create(ctx, iss); err != nil {
		return err
	}
	return b.h.WaitFor(ctx, iss, harness.WaitTimeout, "Ready", func() bool { return iss.Status.IsReady(iss.Generation) })
}

// cleanup deletes a finished run's Certificates, CertificateRequests and
// Secrets, so that later runs meet an API server of the same size (the
// test control plane has no namespace controller to delete namespaces).
func (b *bench) cleanup(ns string) {
	ctx := context.Background()
	for _, obj := range []client.Object{&cmapi.Certificate{}, &cmapi.CertificateRequest{}, &corev1.Secret{}} {
		_ = b.h.Client.DeleteAllOf(ctx, obj, client.InNamespace(ns))
	}
}

// heapPeaks follows a manager's heap gauges until stopped.
type heapPeaks struct {
	cancel       context.CancelFunc
	done         chan struct{}
	mu           sync.Mutex
	inuse, alloc int64
}

// pollHeap scrapes addr every second for the heap gauges (each scrape
// costs the manager a little CPU, so not more often).
func pollHeap(ctx context.Context, addr string) *heapPeaks {
	ctx, cancel := context.WithCancel(ctx)
	p := &heapPeaks{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			p.sample(ctx, addr)
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return p
}

func (p *heapPeaks) sample(ctx context.Context, addr string) {
	m, err := scrape(ctx, addr)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		return // a missed sample only lowers the peak's resolution
	}
	p.inuse = max(p.inuse, int64(m["go_memstats_heap_inuse_bytes"]))
	p.alloc = max(p.alloc, int64(m["go_memstats_heap_alloc_bytes"]))
}

// stop ends the polling and returns the peaks in bytes.
func (p *heapPeaks) stop() (inuse, alloc int64) {
	p.cancel()
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.inuse, p.alloc
}

// withRatios sets each PCAIssuer run's throughput ratio to the built-in
// CA issuer's run.
func withRatios(runs []runResult) []runResult {
	out := append([]runResult(nil), runs...)
	var builtin float64
	for _, r := range out {
		if r.Issuer == issuerBuiltinCA {
			builtin = r.Throughput
		}
	}
	for i := range out {
		if out[i].Issuer == issuerPCA && builtin > 0 {
			out[i].ThroughputRatio = out[i].Throughput / builtin
		}
	}
	return out
}

// sortedOps returns the operation names of calls in order.
func sortedOps(calls map[string]int) []string {
	return slices.Sorted(maps.Keys(calls))
}
