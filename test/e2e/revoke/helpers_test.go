package revoke

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	apiutil "github.com/cert-manager/cert-manager/pkg/api/util"
	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/emulator"
	"github.com/nhnpca/pca-issuer/test/harness"
)

// newNamespace creates a namespace of its own for one test.
func newNamespace(t *testing.T) string { return h.NewNamespace(t, "revoke") }

// newIssuer creates a PCAIssuer "pca" with revocation, and waits for it
// to be Ready.
func newIssuer(t *testing.T, ns string, revocation *v1alpha1.Revocation) {
	t.Helper()
	if err := h.Client.Create(t.Context(), h.CredentialsSecret(ns, "pca-credentials")); err != nil {
		t.Fatal(err)
	}
	spec := h.IssuerSpec("pca-credentials")
	spec.Revocation = revocation
	iss := &v1alpha1.PCAIssuer{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "pca"}, Spec: spec}
	if err := h.Client.Create(t.Context(), iss); err != nil {
		t.Fatal(err)
	}
	if err := h.WaitFor(t.Context(), iss, harness.WaitTimeout, "Ready", func() bool { return iss.Status.IsReady(iss.Generation) }); err != nil {
		t.Fatal(err)
	}
}

// issuedCertificate creates a Certificate of PCAIssuer pca and waits for
// it to be Ready.
func issuedCertificate(t *testing.T, ns, name string) *cmapi.Certificate {
	t.Helper()
	crt := harness.Certificate(ns, name, "pca")
	if err := h.Client.Create(t.Context(), crt); err != nil {
		t.Fatal(err)
	}
	waitReady(t, crt)
	return crt
}

func waitReady(t *testing.T, crt *cmapi.Certificate) {
	t.Helper()
	if err := h.WaitFor(t.Context(), crt, harness.WaitTimeout, "Ready", func() bool { return harness.CertificateReady(crt) }); err != nil {
		t.Fatalf("%v; conditions %+v", err, crt.Status.Conditions)
	}
}

// leafOf reads the certificate in crt's Secret; nil when there is none.
func leafOf(t *testing.T, crt *cmapi.Certificate) *x509.Certificate {
	t.Helper()
	s := &corev1.Secret{}
	if err := h.Client.Get(t.Context(), client.ObjectKey{Namespace: crt.Namespace, Name: crt.Spec.SecretName}, s); err != nil {
		return nil
	}
	block, _ := pem.Decode(s.Data[corev1.TLSCertKey])
	if block == nil {
		return nil
	}
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return leaf
}

// waitNewLeaf waits for crt's Secret to hold a certificate other than old,
// and returns it.
func waitNewLeaf(t *testing.T, crt *cmapi.Certificate, old *x509.Certificate) *x509.Certificate {
	t.Helper()
	var leaf *x509.Certificate
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, harness.WaitTimeout, true, func(context.Context) (bool, error) {
		leaf = leafOf(t, crt)
		return leaf != nil && leaf.SerialNumber.Cmp(old.SerialNumber) != 0, nil
	})
	if err != nil {
		t.Fatalf("the Secret of %s still holds serial %s: %v", crt.Name, serialText(old), err)
	}
	return leaf
}

// serialText spells a serial as the PCA does.
func serialText(c *x509.Certificate) string {
	b := c.SerialNumber.Bytes()
	parts := make([]string, len(b))
	for i, o := range b {
		parts[i] = fmt.Sprintf("%02X", o)
	}
	return strings.Join(parts, ":")
}

// recordOf returns the PCA certificate id that a CertificateRequest of
// crt recorded for leaf, and that request.
func recordOf(t *testing.T, crt *cmapi.Certificate, leaf *x509.Certificate) (int64, *cmapi.CertificateRequest) {
	t.Helper()
	want := serialText(leaf)
	cr, err := h.WaitRequest(t.Context(), crt.Namespace, crt.Name, "recording serial "+want, func(cr *cmapi.CertificateRequest) bool {
		return cr.Annotations[v1alpha1.AnnotationSerialNumber] == want
	})
	if err != nil {
		t.Fatal(err)
	}
	id, err := strconv.ParseInt(cr.Annotations[v1alpha1.AnnotationCertificateID], 10, 64)
	if err != nil {
		t.Fatalf("CertificateRequest %s: %s=%q: %v", cr.Name, v1alpha1.AnnotationCertificateID, cr.Annotations[v1alpha1.AnnotationCertificateID], err)
	}
	return id, cr
}

// pcaStatus returns the PCA's status of certificate id (ACTIVE, REVOKED).
func pcaStatus(t *testing.T, id int64) string {
	t.Helper()
	pc, err := h.PCAClient()
	if err != nil {
		t.Fatal(err)
	}
	c, err := pc.GetCertificate(t.Context(), h.PCA.CAStoreID, id)
	if err != nil {
		t.Fatal(err)
	}
	return c.Status
}

// waitPCAStatus waits for certificate id to have status in the PCA.
func waitPCAStatus(t *testing.T, id int64, status string) {
	t.Helper()
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, harness.WaitTimeout, true, func(context.Context) (bool, error) {
		return pcaStatus(t, id) == status, nil
	})
	if err != nil {
		t.Fatalf("PCA certificate %d is %s, not %s: %v", id, pcaStatus(t, id), status, err)
	}
}

// revokeCalls is the number of revoke calls the emulator received.
func revokeCalls() int { return h.Emulator.APICallCount(emulator.OpRevokeCertificate) }

// renew sets crt's Issuing condition, as cmctl renew does.
func renew(t *testing.T, crt *cmapi.Certificate) {
	t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := h.Client.Get(t.Context(), client.ObjectKeyFromObject(crt), crt); err != nil {
			return err
		}
		apiutil.SetCertificateCondition(crt, crt.Generation, cmapi.CertificateConditionIssuing, cmmeta.ConditionTrue, "ManuallyTriggered", "Renewal forced by the test")
		return h.Client.Status().Update(t.Context(), crt)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// annotate sets an annotation on crt.
func annotate(t *testing.T, crt *cmapi.Certificate, key, value string) {
	t.Helper()
	patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}}}`, key, value)
	if err := h.Client.Patch(t.Context(), crt, client.RawPatch("application/merge-patch+json", []byte(patch))); err != nil {
		t.Fatal(err)
	}
}

// waitEvent waits for an event of pca-issuer on the object named
// regarding in ns, of eventType and reason, whose note holds every text.
func waitEvent(t *testing.T, ns, regarding, eventType, reason string, texts ...string) *eventsv1.Event {
	t.Helper()
	var seen []string
	var found *eventsv1.Event
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, harness.WaitTimeout, true, func(ctx context.Context) (bool, error) {
		var list eventsv1.EventList
		if err := h.Client.List(ctx, &list, client.InNamespace(ns)); err != nil {
			return false, nil
		}
		seen = seen[:0]
	events:
		for _, e := range list.Items {
			if e.Regarding.Name != regarding || e.ReportingController != "pca-issuer" {
				continue
			}
			seen = append(seen, e.Type+" "+e.Reason+": "+e.Note)
			if e.Type != eventType || e.Reason != reason {
				continue
			}
			for _, text := range texts {
				if !strings.Contains(e.Note, text) {
					continue events
				}
			}
			found = e.DeepCopy()
			return true, nil
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("no %s %s event on %s naming %q: %v; events: %v", eventType, reason, regarding, texts, err, seen)
	}
	return found
}

// waitGone waits for a CertificateRequest to be deleted.
func waitGone(t *testing.T, cr *cmapi.CertificateRequest) {
	t.Helper()
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, harness.WaitTimeout, true, func(ctx context.Context) (bool, error) {
		err := h.Client.Get(ctx, client.ObjectKeyFromObject(cr), &cmapi.CertificateRequest{})
		return client.IgnoreNotFound(err) == nil && err != nil, nil
	})
	if err != nil {
		t.Fatalf("CertificateRequest %s was not deleted: %v", cr.Name, err)
	}
}
