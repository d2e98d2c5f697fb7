package main

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	"github.com/cert-manager/cert-manager/pkg/util/pki"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/emulator"
)

// memoryResult is the manager's memory with many finished
// CertificateRequests in its cache.
type memoryResult struct {
	Requests int `json:"requests"`
	Issued   int `json:"issued"`
	// IssueSeconds is how long the manager took to issue them all.
	IssueSeconds            float64 `json:"issueSeconds"`
	MaxConcurrentReconciles int     `json:"maxConcurrentReconciles"`
	// LiveHeapBytes is the live heap marked by a GC forced settleTime
	// after the last issuance (gctrace, MiB resolution): the figure the
	// target applies to.
	LiveHeapBytes int64 `json:"liveHeapBytes"`
	// HeapInuseBytes and HeapAllocBytes are the metrics gauges read right
	// after that GC.
	HeapInuseBytes int64 `json:"heapInuseBytes"`
	HeapAllocBytes int64 `json:"heapAllocBytes"`
	RSSBytes       int64 `json:"rssBytes"`
	PeakRSSBytes   int64 `json:"peakRssBytes"`
	// HeapProfile is the manager's heap profile taken with that GC.
	HeapProfile string `json:"heapProfile,omitempty"`
	Error       string `json:"error,omitempty"`
}

// settleTime lets the last status patches' watch events pass before the
// heap is read.
const settleTime = 5 * time.Second

// runFinished has the manager (profiling build, to force a GC) issue
// cfg.finishedRequests CertificateRequests with no added latency, then
// forces a GC and reads its heap.
func (b *bench) runFinished(ctx context.Context, reconciles int) (res memoryResult, err error) {
	ns := "bench-finished"
	res = memoryResult{Requests: b.cfg.finishedRequests, MaxConcurrentReconciles: reconciles}
	m, err := startManager(ctx, b.profBin, b.h.ChartKubeconfig, b.h.ClusterResourceNamespace, reconciles)
	if err != nil {
		return res, err
	}
	defer func() { err = errors.Join(err, m.stop()) }()
	if err := b.createPCAIssuer(ctx, ns, "pca"); err != nil {
		return res, err
	}
	defer b.cleanup(ns)
	b.h.Emulator.SetFaults(emulator.Faults{})

	tracker := newReadyTracker(res.Requests)
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := watchReady(wctx, b.h.Config, ns, watchRequests, tracker); err != nil {
		return res, err
	}
	start := time.Now()
	if _, err := b.createAll(ctx, res.Requests, func(i int) (client.Object, error) { return newRequest(ns, i) }); err != nil {
		return res, err
	}
	if err := tracker.wait(ctx, b.cfg.timeout); err != nil {
		res.Issued, res.Error = tracker.ready(), err.Error()
		return res, err
	}
	res.Issued, res.IssueSeconds = tracker.ready(), time.Since(start).Seconds()
	select {
	case <-ctx.Done():
		return res, ctx.Err()
	case <-time.After(settleTime):
	}
	return res, b.readHeapAfterGC(ctx, m, &res)
}

// readHeapAfterGC forces a GC in the manager by asking for a heap profile
// (net/http/pprof runs runtime.GC first with gc=1), then reads the live
// heap that GC traced, the heap gauges and /proc.
func (b *bench) readHeapAfterGC(ctx context.Context, m *managerProcess, res *memoryResult) error {
	cycles, _, _ := m.gc.snapshot()
	res.HeapProfile = filepath.Join(b.cfg.out, "manager-heap-finished.pprof")
	if _, err := fetch(ctx, m.pprofAddr, "/debug/pprof/heap?gc=1", res.HeapProfile); err != nil {
		return fmt.Errorf("forcing a GC in the manager: %w", err)
	}
	metrics, err := scrape(ctx, m.metricsAddr)
	if err != nil {
		return err
	}
	res.HeapInuseBytes, res.HeapAllocBytes = int64(metrics["go_memstats_heap_inuse_bytes"]), int64(metrics["go_memstats_heap_alloc_bytes"])
	// The GC's trace line reaches stderr asynchronously.
	for deadline := time.Now().Add(5 * time.Second); ; {
		if now, live, _ := m.gc.snapshot(); now > cycles {
			res.LiveHeapBytes = live << 20
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the manager traced no GC after the forced one")
		}
		time.Sleep(50 * time.Millisecond)
	}
	u, err := readProc(m.cmd.Process.Pid)
	res.RSSBytes, res.PeakRSSBytes = u.rssBytes, u.peakRSSBytes
	return err
}

// newRequest returns CertificateRequest req-<i> for the PCAIssuer "pca":
// a fresh EC P-256 CSR for one DNS name, a day, as cert-manager would make
// for harness.Certificate. It fails only if key generation or CSR signing
// does.
func newRequest(ns string, i int) (*cmapi.CertificateRequest, error) {
	name := fmt.Sprintf("req-%d", i)
	dns := name + "." + ns + ".example.internal"
	key, err := pki.GenerateECPrivateKey(256)
	if err != nil {
		return nil, fmt.Errorf("generating a P-256 key: %w", err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{DNSNames: []string{dns}, Subject: pkix.Name{}}, key)
	if err != nil {
		return nil, fmt.Errorf("making a CSR: %w", err)
	}
	return &cmapi.CertificateRequest{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: cmapi.CertificateRequestSpec{
			Request:   pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}),
			Duration:  &metav1.Duration{Duration: 24 * time.Hour},
			IssuerRef: cmmeta.IssuerReference{Group: v1alpha1.GroupVersion.Group, Kind: "PCAIssuer", Name: "pca"},
			Usages:    []cmapi.KeyUsage{cmapi.UsageDigitalSignature, cmapi.UsageKeyEncipherment, cmapi.UsageServerAuth},
		},
	}, nil
}
