package main

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
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
	// LiveHeapBytes is the live heap marked by the first GC that started
	// at least settleTime after the last issuance (gctrace; MiB
	// resolution). It is the figure the target applies to.
	LiveHeapBytes int64 `json:"liveHeapBytes"`
	// GCWaitSeconds is how long that GC took to come.
	GCWaitSeconds float64 `json:"gcWaitSeconds"`
	// HeapInuseBytes and HeapAllocBytes are the metrics gauges read then.
	HeapInuseBytes int64  `json:"heapInuseBytes"`
	HeapAllocBytes int64  `json:"heapAllocBytes"`
	RSSBytes       int64  `json:"rssBytes"`
	PeakRSSBytes   int64  `json:"peakRssBytes"`
	Error          string `json:"error,omitempty"`
}

// settleTime lets the last status patches' watch events pass before the
// heap is read.
const settleTime = 5 * time.Second

// gcWaitLimit bounds the wait for a GC: the Go runtime forces one at
// least every two minutes.
const gcWaitLimit = 150 * time.Second

// runFinished has the manager issue cfg.finishedRequests
// CertificateRequests with no added latency, then reads its heap after the
// next garbage collection.
func (b *bench) runFinished(ctx context.Context, reconciles int) (res memoryResult, err error) {
	ns := "bench-finished"
	res = memoryResult{Requests: b.cfg.finishedRequests, MaxConcurrentReconciles: reconciles}
	m, err := startManager(ctx, b.managerBin, b.h.Kubeconfig, b.h.ClusterResourceNamespace, reconciles)
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
	return res, b.readHeapAfterGC(ctx, m, &res)
}

// readHeapAfterGC waits settleTime, then for the manager's next GC, and
// fills the heap figures.
func (b *bench) readHeapAfterGC(ctx context.Context, m *managerProcess, res *memoryResult) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(settleTime):
	}
	cycles, _, _ := m.gc.snapshot()
	waitStart := time.Now()
	for {
		now, live, _ := m.gc.snapshot()
		if now > cycles {
			res.LiveHeapBytes, res.GCWaitSeconds = live<<20, time.Since(waitStart).Seconds()
			break
		}
		if time.Since(waitStart) > gcWaitLimit {
			return fmt.Errorf("the manager ran no GC within %s", gcWaitLimit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	metrics, err := scrape(ctx, m.metricsAddr)
	if err != nil {
		return err
	}
	res.HeapInuseBytes, res.HeapAllocBytes = int64(metrics["go_memstats_heap_inuse_bytes"]), int64(metrics["go_memstats_heap_alloc_bytes"])
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
