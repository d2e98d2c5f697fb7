// Package leader tests two pca-issuer managers under leader election
// against one API server: only the leader issues, and when it dies the
// other takes over within the lease time without issuing twice.
package leader

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	"github.com/cert-manager/cert-manager/pkg/util/pki"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/nhnpca/pca-issuer/internal/controller"
	"github.com/nhnpca/pca-issuer/test/harness"
)

var h *harness.Harness

func TestMain(m *testing.M) {
	harness.RunTests(m, harness.Options{}, func(started *harness.Harness) { h = started })
}

// candidate is one manager and the CertificateRequest status writes it
// made.
type candidate struct {
	m      *harness.Manager
	writes atomic.Int64
}

func startCandidate(t *testing.T) *candidate {
	t.Helper()
	c := &candidate{}
	m, err := h.RunManager(harness.ManagerConfig{
		Options:        controller.Options{PendingRetryInterval: time.Second, IssuerRetryInterval: time.Second},
		LeaderElection: true,
		WrapClient: func(inner client.WithWatch) client.Client {
			return interceptor.NewClient(inner, interceptor.Funcs{
				SubResourcePatch: func(ctx context.Context, cl client.Client, sub string, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
					if _, ok := obj.(*cmapi.CertificateRequest); ok {
						c.writes.Add(1)
					}
					return cl.SubResource(sub).Patch(ctx, obj, patch, opts...)
				},
			})
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	c.m = m
	t.Cleanup(func() { _ = m.Stop() })
	return c
}

func elected(c *candidate) bool {
	select {
	case <-c.m.Elected():
		return true
	default:
		return false
	}
}

// TestLeaderElectionHandover: only the leader signs; killing it (without
// releasing the lease, as a crash would) hands over within the lease time,
// and every certificate is issued exactly once.
func TestLeaderElectionHandover(t *testing.T) {
	ctx := t.Context()
	a, b := startCandidate(t), startCandidate(t)
	var leader, follower *candidate
	deadline := time.Now().Add(harness.WaitTimeout)
	for leader == nil && time.Now().Before(deadline) {
		switch {
		case elected(a):
			leader, follower = a, b
		case elected(b):
			leader, follower = b, a
		default:
			time.Sleep(50 * time.Millisecond)
		}
	}
	if leader == nil {
		t.Fatal("no manager was elected")
	}
	if elected(follower) {
		t.Fatal("both managers lead")
	}
	ns := "leader"
	if _, err := h.CreateIssuer(ctx, ns, "pca"); err != nil {
		t.Fatal(err)
	}
	first := issueAll(t, ns, "before", 5)
	if leader.writes.Load() == 0 || follower.writes.Load() != 0 {
		t.Fatalf("status writes: leader %d, follower %d; want only the leader", leader.writes.Load(), follower.writes.Load())
	}

	killed := time.Now()
	if err := leader.m.Stop(); err != nil {
		t.Fatal(err)
	}
	second := issueAll(t, ns, "after", 5)
	if took := time.Since(killed); took > 4*time.Second+harness.WaitTimeout/2 {
		t.Errorf("handover and issuance took %s", took)
	}
	if !elected(follower) || follower.writes.Load() == 0 {
		t.Errorf("the follower did not take over (elected %v, writes %d)", elected(follower), follower.writes.Load())
	}
	for _, cr := range append(first, second...) {
		csr, err := pki.DecodeX509CertificateRequestBytes(cr.Spec.Request)
		if err != nil {
			t.Fatal(err)
		}
		if got := h.Emulator.IssuanceCountFor(csr.PublicKey); got != 1 {
			t.Errorf("%s: issuance calls = %d, want 1", cr.Name, got)
		}
	}
}

// issueAll creates n Certificates and waits until all are Ready; it
// returns their CertificateRequests.
func issueAll(t *testing.T, ns, prefix string, n int) []*cmapi.CertificateRequest {
	t.Helper()
	var crts []*cmapi.Certificate
	for i := range n {
		crt := harness.Certificate(ns, fmt.Sprintf("%s-%d", prefix, i), "pca")
		if err := h.Client.Create(t.Context(), crt); err != nil {
			t.Fatal(err)
		}
		crts = append(crts, crt)
	}
	var crs []*cmapi.CertificateRequest
	for _, crt := range crts {
		if err := h.WaitFor(t.Context(), crt, harness.WaitTimeout, "Ready", func() bool { return harness.CertificateReady(crt) }); err != nil {
			t.Fatal(err)
		}
		cr, err := h.WaitRequest(t.Context(), ns, crt.Name, "issued", func(cr *cmapi.CertificateRequest) bool { return len(cr.Status.Certificate) > 0 })
		if err != nil {
			t.Fatal(err)
		}
		crs = append(crs, cr)
	}
	return crs
}
