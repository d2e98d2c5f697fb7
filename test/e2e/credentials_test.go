package e2e

import (
	"strings"
	"testing"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/test/harness"
)

// TestWrongCredentialsThenFixed: an issuer with a wrong secret access key
// is not Ready with a message naming the cause; its CertificateRequests
// stay Pending and reach no PCA; fixing the Secret issues them.
func TestWrongCredentialsThenFixed(t *testing.T) {
	ns := newNamespace(t)
	secret := h.CredentialsSecret(ns, "creds")
	secret.StringData[v1alpha1.SecretKeySecretAccessKey] = "not-the-secret"
	create(t, secret)
	iss := &v1alpha1.PCAIssuer{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "pca"}, Spec: h.IssuerSpec("creds")}
	create(t, iss)
	waitIssuerReady(t, iss, metav1.ConditionFalse, v1alpha1.ReasonCredentialsRejected)

	crt := certificateFor(ns, "waits", pcaIssuerRef("pca"), cmapi.ECDSAKeyAlgorithm, 256, []string{"waits.example.internal"}, nil)
	before := h.Emulator.IssuanceCount()
	create(t, crt)
	var cr cmapi.CertificateRequest
	err := h.WaitFor(t.Context(), crt, harness.WaitTimeout, "requested", func() bool {
		items := requestsOf(t, ns)
		if len(items) != 1 {
			return false
		}
		cr = items[0]
		c := harness.RequestReady(&cr)
		return c != nil && c.Reason == cmapi.CertificateRequestReasonPending
	})
	if err != nil {
		t.Fatalf("%v: %s", err, describeRequests(t.Context(), ns))
	}
	if c := harness.RequestReady(&cr); c.Status != cmmeta.ConditionFalse || !strings.Contains(c.Message, "PCAIssuer "+ns+"/pca") || !strings.Contains(c.Message, v1alpha1.ReasonCredentialsRejected) {
		t.Errorf("Pending condition = %+v, want a message naming the issuer and %s", c, v1alpha1.ReasonCredentialsRejected)
	}
	if cr.Status.FailureTime != nil {
		t.Errorf("failureTime set on a request waiting for its issuer")
	}
	if got := h.Emulator.IssuanceCount() - before; got != 0 {
		t.Errorf("%d issuance calls reached the PCA while the credentials were wrong", got)
	}

	fixed := &corev1.Secret{}
	if err := h.Client.Get(t.Context(), client.ObjectKey{Namespace: ns, Name: "creds"}, fixed); err != nil {
		t.Fatal(err)
	}
	fixed.Data[v1alpha1.SecretKeySecretAccessKey] = []byte(harness.SecretAccessKey)
	if err := h.Client.Update(t.Context(), fixed); err != nil {
		t.Fatal(err)
	}
	waitIssuerReady(t, iss, metav1.ConditionTrue, v1alpha1.ReasonChecked)
	waitCertificateReady(t, crt)
	chain, root, _ := issuedChain(t, crt)
	verifyChain(t, chain, root)
}
