package revoke

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/controller"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
	"github.com/nhnpca/pca-issuer/test/harness"
)

// grace is the issuers' grace period: long enough that the test sees the
// renewal in the Secret before it ends.
const grace = 4 * time.Second

func supersededPolicy() *v1alpha1.Revocation {
	return &v1alpha1.Revocation{RevokeSuperseded: true, GracePeriod: &metav1.Duration{Duration: grace}}
}

// TestRevokeSuperseded: after a renewal reached the Secret and the grace
// period passed, exactly the replaced certificate is revoked, once; the
// one in use stays ACTIVE; the replaced request is released to
// cert-manager's clean-up.
func TestRevokeSuperseded(t *testing.T) {
	ns := newNamespace(t)
	newIssuer(t, ns, supersededPolicy())
	crt := issuedCertificate(t, ns, "web")
	old := leafOf(t, crt)
	oldID, oldCR := recordOf(t, crt, old)
	if !contains(oldCR.Finalizers, controller.FinalizerRevokeSuperseded) {
		t.Fatalf("CertificateRequest %s is not held: finalizers %v", oldCR.Name, oldCR.Finalizers)
	}
	before := revokeCalls()

	renew(t, crt)
	current := waitNewLeaf(t, crt, old)
	seen := time.Now()
	if got := pcaStatus(t, oldID); got != wire.StatusActive && time.Since(seen) < grace {
		t.Errorf("certificate %d is %s before its grace period ended", oldID, got)
	}
	waitPCAStatus(t, oldID, wire.StatusRevoked)
	currentID, _ := recordOf(t, crt, current)
	if got := pcaStatus(t, currentID); got != wire.StatusActive {
		t.Errorf("the certificate in use %d is %s, want ACTIVE", currentID, got)
	}
	e := waitEvent(t, ns, crt.Name, corev1.EventTypeNormal, v1alpha1.ReasonRevokeDone, serialText(old), "superseded")
	// The grace period ran from when the manager saw the renewal in the
	// Secret (second precision in the note) to the revocation.
	_, after, _ := strings.Cut(e.Note, "replaced in the Secret at ")
	replaced, err := time.Parse(time.RFC3339, strings.TrimRight(strings.Fields(after + " x")[0], ",;"))
	if err != nil {
		t.Fatalf("the event does not say when the renewal reached the Secret: %q", e.Note)
	}
	if took := e.EventTime.Sub(replaced); took < grace-time.Second {
		t.Errorf("revoked %s after the renewal reached the Secret, within the grace period of %s", took, grace)
	}
	if replaced.After(seen.Add(time.Second)) {
		t.Errorf("the manager saw the renewal at %s, the test at %s", replaced, seen)
	}
	waitGone(t, oldCR)
	if got := revokeCalls() - before; got != 1 {
		t.Errorf("revoke calls = %d, want 1", got)
	}
}

// TestRevokeSupersededAcrossRestart: the manager stops right after the
// renewal reached the Secret; cert-manager's clean-up deletes the replaced
// request meanwhile, which the finalizer holds; the manager started again
// revokes exactly the replaced certificate, once.
func TestRevokeSupersededAcrossRestart(t *testing.T) {
	ns := newNamespace(t)
	newIssuer(t, ns, supersededPolicy())
	crt := issuedCertificate(t, ns, "restart")
	old := leafOf(t, crt)
	oldID, oldCR := recordOf(t, crt, old)
	before := revokeCalls()

	renew(t, crt)
	current := waitNewLeaf(t, crt, old)
	currentID, _ := recordOf(t, crt, current)
	if err := h.StopManager(); err != nil {
		t.Fatal(err)
	}
	restarted := false
	t.Cleanup(func() {
		if !restarted {
			_ = h.StartManager(managerOptions)
		}
	})
	// cert-manager deletes the replaced request (revisionHistoryLimit 1);
	// the finalizer keeps its record.
	held := &cmapi.CertificateRequest{}
	*held = *oldCR
	err := h.WaitFor(t.Context(), held, harness.WaitTimeout, "deleted by cert-manager, held", func() bool { return held.DeletionTimestamp != nil })
	if err != nil {
		t.Fatal(err)
	}
	if got := pcaStatus(t, oldID); got != wire.StatusActive {
		t.Errorf("certificate %d is %s while the manager is stopped", oldID, got)
	}
	if err := h.StartManager(managerOptions); err != nil {
		t.Fatal(err)
	}
	restarted = true
	waitPCAStatus(t, oldID, wire.StatusRevoked)
	if got := pcaStatus(t, currentID); got != wire.StatusActive {
		t.Errorf("the certificate in use %d is %s, want ACTIVE", currentID, got)
	}
	waitGone(t, oldCR)
	if got := revokeCalls() - before; got != 1 {
		t.Errorf("revoke calls = %d, want 1", got)
	}
	if err := h.Client.Get(t.Context(), client.ObjectKeyFromObject(crt), crt); err != nil {
		t.Fatal(err)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestRevokeSupersededCertificateDeleted: deleting a Certificate is no
// revocation request: its requests are released (nothing is left stuck
// on the finalizer) and nothing is revoked.
func TestRevokeSupersededCertificateDeleted(t *testing.T) {
	ns := newNamespace(t)
	newIssuer(t, ns, supersededPolicy())
	crt := issuedCertificate(t, ns, "deleted")
	leaf := leafOf(t, crt)
	id, cr := recordOf(t, crt, leaf)
	if !contains(cr.Finalizers, controller.FinalizerRevokeSuperseded) {
		t.Fatalf("CertificateRequest %s is not held: finalizers %v", cr.Name, cr.Finalizers)
	}
	before := revokeCalls()
	if err := h.Client.Delete(t.Context(), crt); err != nil {
		t.Fatal(err)
	}
	err := h.WaitFor(t.Context(), cr, harness.WaitTimeout, "released", func() bool {
		return !contains(cr.Finalizers, controller.FinalizerRevokeSuperseded)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := revokeCalls() - before; got != 0 {
		t.Errorf("revoke calls = %d, want 0", got)
	}
	if got := pcaStatus(t, id); got != wire.StatusActive {
		t.Errorf("certificate %d is %s, want ACTIVE", id, got)
	}
}
