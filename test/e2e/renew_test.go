package e2e

import (
	"testing"

	apiutil "github.com/cert-manager/cert-manager/pkg/api/util"
	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/test/harness"
)

// TestRenewal: a Certificate forced to renew (as `cmctl renew` does, by
// setting its Issuing condition) gets a new certificate with a new serial.
func TestRenewal(t *testing.T) {
	ns := newNamespace(t)
	iss := newIssuer(t, ns, "pca")
	waitIssuerReady(t, iss, metav1.ConditionTrue, v1alpha1.ReasonChecked)
	crt := certificateFor(ns, "renewed", pcaIssuerRef("pca"), cmapi.ECDSAKeyAlgorithm, 256, []string{"renewed.example.internal"}, nil)
	create(t, crt)
	waitCertificateReady(t, crt)
	first, _, _ := issuedChain(t, crt)

	// cert-manager may write the Certificate meanwhile: retry on conflict.
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
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: crt.Spec.SecretName}}
	err = h.WaitFor(t.Context(), secret, harness.WaitTimeout, "renewed", func() bool {
		certs := parsePEMCertificates(t, secret.Data[corev1.TLSCertKey])
		return len(certs) > 0 && certs[0].SerialNumber.Cmp(first[0].SerialNumber) != 0
	})
	if err != nil {
		t.Fatalf("%v: %s", err, describeRequests(t.Context(), ns))
	}
	waitCertificateReady(t, crt)
	second, root, _ := issuedChain(t, crt)
	verifyChain(t, second, root)
	if got := len(requestsOf(t, ns)); got < 1 {
		t.Errorf("no CertificateRequest left after renewal")
	}
}
