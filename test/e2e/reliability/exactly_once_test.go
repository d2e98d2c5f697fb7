package reliability

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/nhnpca/pca-issuer/internal/controller"
	"github.com/nhnpca/pca-issuer/internal/emulator"
	"github.com/nhnpca/pca-issuer/test/harness"
)

// TestCrashAfterIssuancePOST: the PCA issues but its answer is lost, and
// the manager is killed right then. After a restart the Certificate becomes
// Ready with the certificate issued the first time: one issuance in all.
func TestCrashAfterIssuancePOST(t *testing.T) {
	noFaults(t)
	ns := setup(t)
	h.Emulator.SetFaults(emulator.Faults{FailAfterIssueRate: 1})
	crt := harness.Certificate(ns, "crash", "pca")
	create(t, crt)
	cr := requestOf(t, ns, crt.Name)
	pub := csrKey(t, cr)
	err := wait.PollUntilContextTimeout(t.Context(), 20*time.Millisecond, harness.WaitTimeout, true, func(ctx context.Context) (bool, error) {
		return h.Emulator.IssuanceCountFor(pub) > 0, nil
	})
	if err != nil {
		t.Fatalf("the PCA never issued: %v", err)
	}
	if err := h.StopManager(); err != nil {
		t.Fatal(err)
	}
	h.Emulator.SetFaults(emulator.Faults{})
	if err := h.StartManager(managerOptions); err != nil {
		t.Fatal(err)
	}
	waitReady(t, crt)
	if got := h.Emulator.IssuanceCountFor(pub); got != 1 {
		t.Errorf("issuance calls for the request's key = %d, want exactly 1", got)
	}
	cr = requestOf(t, ns, crt.Name)
	if c := harness.RequestReady(cr); c == nil || !strings.Contains(c.Message, "Recovered") {
		t.Errorf("Ready condition %+v does not say the certificate was recovered", c)
	}
}

// TestUpdateConflictsOnMarker: every first write of the in-flight marker
// meets an update conflict; requests are still issued exactly once.
func TestUpdateConflictsOnMarker(t *testing.T) {
	noFaults(t)
	ns := setup(t)
	var mu sync.Mutex
	conflicted := map[string]bool{}
	if err := h.StopManager(); err != nil {
		t.Fatal(err)
	}
	m, err := h.RunManager(harness.ManagerConfig{Options: managerOptions, WrapClient: func(c client.WithWatch) client.Client {
		return interceptor.NewClient(c, interceptor.Funcs{
			Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
				if cr, ok := obj.(*cmapi.CertificateRequest); ok && cr.Namespace == ns && cr.Annotations[controller.AnnotationIssuanceStarted] != "" {
					mu.Lock()
					first := !conflicted[cr.Name]
					conflicted[cr.Name] = true
					mu.Unlock()
					if first {
						return apierrors.NewConflict(cmapi.Resource("certificaterequests"), cr.Name, errors.New("injected by the test"))
					}
				}
				return c.Patch(ctx, obj, patch, opts...)
			},
		})
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = m.Stop()
		if err := h.StartManager(managerOptions); err != nil {
			t.Error(err)
		}
	})
	var crts []*cmapi.Certificate
	for i := range 5 {
		crt := harness.Certificate(ns, fmt.Sprintf("conflict-%d", i), "pca")
		create(t, crt)
		crts = append(crts, crt)
	}
	for _, crt := range crts {
		waitReady(t, crt)
		if got := h.Emulator.IssuanceCountFor(csrKey(t, requestOf(t, ns, crt.Name))); got != 1 {
			t.Errorf("%s: issuance calls = %d, want 1", crt.Name, got)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(conflicted) != len(crts) {
		t.Errorf("conflicts injected for %d requests, want %d", len(conflicted), len(crts))
	}
}
