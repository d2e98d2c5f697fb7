package reliability

import (
	"crypto/x509"
	"encoding/pem"
	"testing"
	"time"

	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/controller"
	"github.com/nhnpca/pca-issuer/test/harness"
)

// TestKubernetesCSRForClusterIssuer: a Kubernetes CertificateSigningRequest
// naming a PCAClusterIssuer is signed once approved; one never approved is
// left alone.
func TestKubernetesCSRForClusterIssuer(t *testing.T) {
	noFaults(t)
	ctx := t.Context()
	create(t, h.CredentialsSecret(h.ClusterResourceNamespace, "csr-issuer-credentials"))
	iss := &v1alpha1.PCAClusterIssuer{ObjectMeta: metav1.ObjectMeta{Name: "csr-issuer"}, Spec: h.IssuerSpec("csr-issuer-credentials")}
	create(t, iss)
	if err := h.WaitFor(ctx, iss, harness.WaitTimeout, "Ready", func() bool { return iss.Status.IsReady(iss.Generation) }); err != nil {
		t.Fatal(err)
	}
	approved := newCSR(t, "csr-approved")
	unapproved := newCSR(t, "csr-unapproved")
	approved.Status.Conditions = append(approved.Status.Conditions, certificatesv1.CertificateSigningRequestCondition{
		Type: certificatesv1.CertificateApproved, Status: corev1.ConditionTrue, Reason: "ApprovedByTest", Message: "approved by the test",
	})
	if err := h.Client.SubResource("approval").Update(ctx, approved); err != nil {
		t.Fatal(err)
	}
	if err := h.WaitFor(ctx, approved, harness.WaitTimeout, "signed", func() bool { return len(approved.Status.Certificate) > 0 }); err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(approved.Status.Certificate)
	if block == nil {
		t.Fatal("status.certificate holds no PEM")
	}
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if leaf.Subject.CommonName != "csr-approved.example.internal" {
		t.Errorf("signed certificate CN = %q", leaf.Subject.CommonName)
	}
	if got := leaf.NotAfter.Sub(leaf.NotBefore); got < time.Hour || got > time.Hour+time.Minute {
		t.Errorf("validity %s, want spec.expirationSeconds (1h) plus the template's back-dating", got)
	}
	if err := h.Client.Get(ctx, client.ObjectKeyFromObject(unapproved), unapproved); err != nil {
		t.Fatal(err)
	}
	if len(unapproved.Status.Certificate) > 0 || unapproved.Annotations[controller.AnnotationIssuanceStarted] != "" {
		t.Error("the unapproved CertificateSigningRequest was acted on")
	}
}

// newCSR creates a CertificateSigningRequest for the cluster issuer
// csr-issuer with a fresh P-256 key and a one-hour expiration.
func newCSR(t *testing.T, name string) *certificatesv1.CertificateSigningRequest {
	t.Helper()
	expiration := int32(3600)
	csr := &certificatesv1.CertificateSigningRequest{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: certificatesv1.CertificateSigningRequestSpec{
			Request:           csrPEM(t, name+".example.internal"),
			SignerName:        controller.SignerPrefixClusterIssuer + "csr-issuer",
			ExpirationSeconds: &expiration,
			Usages:            []certificatesv1.KeyUsage{certificatesv1.UsageDigitalSignature, certificatesv1.UsageServerAuth},
		},
	}
	create(t, csr)
	return csr
}

// csrPEM returns a PEM CSR for cn (CN and DNS SAN) with a fresh P-256 key.
func csrPEM(t *testing.T, cn string) []byte {
	t.Helper()
	b, err := harness.CSRPEM(cn)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
