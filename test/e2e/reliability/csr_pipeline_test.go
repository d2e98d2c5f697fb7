package reliability

import (
	"testing"
	"time"

	experimentalapi "github.com/cert-manager/cert-manager/pkg/apis/experimental/v1alpha1"
	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/controller"
	"github.com/nhnpca/pca-issuer/test/harness"
)

// TestKubernetesCSRFollowsCertManagersConventions: a CSR for a cluster
// issuer that does not exist yet is told Pending by an event and signed
// once the issuer exists; cert-manager's request-duration annotation wins
// over spec.expirationSeconds; the request-is-ca annotation fails the CSR
// with reason CANotSupported and no issuance call.
func TestKubernetesCSRFollowsCertManagersConventions(t *testing.T) {
	noFaults(t)
	const issuer = "csr-conventions"
	durationCSR := annotatedCSR(t, "csr-duration", issuer, map[string]string{experimentalapi.CertificateSigningRequestDurationAnnotationKey: "896h"})
	waitEvent(t, metav1.NamespaceDefault, durationCSR.Name, "Pending", "PCAClusterIssuer "+issuer+" not found")

	create(t, h.CredentialsSecret(h.ClusterResourceNamespace, issuer+"-credentials"))
	create(t, &v1alpha1.PCAClusterIssuer{ObjectMeta: metav1.ObjectMeta{Name: issuer}, Spec: h.IssuerSpec(issuer + "-credentials")})
	if err := h.WaitFor(t.Context(), durationCSR, harness.WaitTimeout, "signed", func() bool { return len(durationCSR.Status.Certificate) > 0 }); err != nil {
		t.Fatal(err)
	}
	leaf, err := parseLeaf(durationCSR.Status.Certificate)
	if err != nil {
		t.Fatal(err)
	}
	if got := leaf.NotAfter.Sub(leaf.NotBefore); got < 896*time.Hour || got > 896*time.Hour+time.Hour {
		t.Errorf("validity %s, want the annotation's 896h (not expirationSeconds' 1h) plus the template's back-dating", got)
	}

	callsBefore := h.Emulator.APICallCount("IssueWithTemplate")
	caCSR := annotatedCSR(t, "csr-is-ca", issuer, map[string]string{experimentalapi.CertificateSigningRequestIsCAAnnotationKey: "true"})
	var failed *certificatesv1.CertificateSigningRequestCondition
	if err := h.WaitFor(t.Context(), caCSR, harness.WaitTimeout, "Failed", func() bool {
		for i, c := range caCSR.Status.Conditions {
			if c.Type == certificatesv1.CertificateFailed && c.Status == corev1.ConditionTrue {
				failed = &caCSR.Status.Conditions[i]
			}
		}
		return failed != nil
	}); err != nil {
		t.Fatal(err)
	}
	if failed.Reason != v1alpha1.ReasonCANotSupported || len(caCSR.Status.Certificate) > 0 {
		t.Errorf("Failed condition %+v, want reason %s and no certificate", *failed, v1alpha1.ReasonCANotSupported)
	}
	waitEvent(t, metav1.NamespaceDefault, caCSR.Name, v1alpha1.ReasonCANotSupported, experimentalapi.CertificateSigningRequestIsCAAnnotationKey)
	if got := h.Emulator.APICallCount("IssueWithTemplate") - callsBefore; got != 0 {
		t.Errorf("issuance calls = %d, want 0", got)
	}
}

// annotatedCSR creates an approved CSR for the named cluster issuer with a
// one-hour spec.expirationSeconds and the given annotations.
func annotatedCSR(t *testing.T, name, issuer string, annotations map[string]string) *certificatesv1.CertificateSigningRequest {
	t.Helper()
	expiration := int32(3600)
	csr := &certificatesv1.CertificateSigningRequest{
		ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: annotations},
		Spec: certificatesv1.CertificateSigningRequestSpec{
			Request:           csrPEM(t, name+".example.internal"),
			SignerName:        controller.SignerPrefixClusterIssuer + issuer,
			ExpirationSeconds: &expiration,
			Usages:            []certificatesv1.KeyUsage{certificatesv1.UsageDigitalSignature, certificatesv1.UsageServerAuth},
		},
	}
	create(t, csr)
	csr.Status.Conditions = append(csr.Status.Conditions, certificatesv1.CertificateSigningRequestCondition{
		Type: certificatesv1.CertificateApproved, Status: corev1.ConditionTrue, Reason: "ApprovedByTest", Message: "approved by the test",
	})
	if err := h.Client.SubResource("approval").Update(t.Context(), csr); err != nil {
		t.Fatal(err)
	}
	return csr
}
