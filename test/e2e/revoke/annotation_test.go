package revoke

import (
	"testing"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/controller"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
	"github.com/nhnpca/pca-issuer/test/harness"
)

// TestRevokeAnnotation: annotating a Certificate nhnpca.issuer.dev/revoke
// revokes exactly the certificate in its Secret, with one PCA call; a new
// certificate is issued, the annotation is removed, and a Normal event
// names the serial, the reason and the time.
func TestRevokeAnnotation(t *testing.T) {
	ns := newNamespace(t)
	newIssuer(t, ns, nil)
	crt := issuedCertificate(t, ns, "web")
	old := leafOf(t, crt)
	oldID, _ := recordOf(t, crt, old)
	before := revokeCalls()

	annotate(t, crt, v1alpha1.AnnotationRevoke, "keyCompromise")
	current := waitNewLeaf(t, crt, old)
	note := waitEvent(t, ns, crt.Name, corev1.EventTypeNormal, v1alpha1.ReasonRevokeDone, serialText(old), "keyCompromise", " at ")
	err := h.WaitFor(t.Context(), crt, harness.WaitTimeout, "without the revoke annotations", func() bool {
		_, revoke := crt.Annotations[v1alpha1.AnnotationRevoke]
		_, pin := crt.Annotations[controller.AnnotationRevokeSerial]
		return !revoke && !pin && harness.CertificateReady(crt)
	})
	if err != nil {
		t.Fatalf("%v; annotations %v", err, crt.Annotations)
	}
	if got := pcaStatus(t, oldID); got != wire.StatusRevoked {
		t.Errorf("the revoked certificate %d is %s in the PCA", oldID, got)
	}
	currentID, _ := recordOf(t, crt, current)
	if got := pcaStatus(t, currentID); got != wire.StatusActive {
		t.Errorf("the new certificate %d is %s in the PCA, want ACTIVE", currentID, got)
	}
	if got := revokeCalls() - before; got != 1 {
		t.Errorf("revoke calls = %d, want 1", got)
	}
	if leaf := leafOf(t, crt); leaf.SerialNumber.Cmp(current.SerialNumber) != 0 {
		t.Errorf("the Secret moved on to serial %s after the renewal", serialText(leaf))
	}
	t.Logf("event: %s", note.Note)
}

// TestRevokeAnnotationRefused: a reason pca-issuer does not revoke with
// (certificateHold: a PCA revocation is permanent) is refused with a
// Warning event naming why, the annotation is removed, and nothing is
// revoked or renewed.
func TestRevokeAnnotationRefused(t *testing.T) {
	ns := newNamespace(t)
	newIssuer(t, ns, nil)
	crt := issuedCertificate(t, ns, "held")
	old := leafOf(t, crt)
	oldID, _ := recordOf(t, crt, old)
	before := revokeCalls()

	annotate(t, crt, v1alpha1.AnnotationRevoke, "certificateHold")
	waitEvent(t, ns, crt.Name, corev1.EventTypeWarning, v1alpha1.ReasonRevokeRefused, "certificateHold", "permanent")
	err := h.WaitFor(t.Context(), crt, harness.WaitTimeout, "without the revoke annotation", func() bool {
		_, revoke := crt.Annotations[v1alpha1.AnnotationRevoke]
		return !revoke
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := revokeCalls() - before; got != 0 {
		t.Errorf("revoke calls = %d, want 0", got)
	}
	if got := pcaStatus(t, oldID); got != wire.StatusActive {
		t.Errorf("certificate %d is %s in the PCA, want ACTIVE", oldID, got)
	}
	if leaf := leafOf(t, crt); leaf.SerialNumber.Cmp(old.SerialNumber) != 0 {
		t.Errorf("the Certificate was renewed (serial %s, was %s)", serialText(leaf), serialText(old))
	}
	for _, c := range crt.Status.Conditions {
		if c.Type == cmapi.CertificateConditionIssuing && c.Status == "True" {
			t.Errorf("the Certificate is Issuing: %+v", c)
		}
	}
}
