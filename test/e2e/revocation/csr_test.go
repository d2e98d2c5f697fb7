package revocation

import (
	"fmt"
	"testing"
	"time"

	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/controller"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
	"github.com/nhnpca/pca-issuer/test/harness"
)

// TestRevokedCSRCertificate: the certificate of a Kubernetes CSR signed
// through a PCAClusterIssuer, once revoked through the PCA API (and the CRL
// renewed), gets a Warning event on the CSR naming its serial. A CSR
// cannot be renewed; the event tells its requester to make a new one.
func TestRevokedCSRCertificate(t *testing.T) {
	ctx := t.Context()
	pc := pcaClient(t)
	setStore(t, pc, true, true)
	name := fmt.Sprintf("revocation-csr-%d", time.Now().UnixNano()%1_000_000) // cluster-wide: distinct per run
	if err := h.Client.Create(ctx, h.CredentialsSecret(h.ClusterResourceNamespace, name+"-credentials")); err != nil {
		t.Fatal(err)
	}
	iss := &v1alpha1.PCAClusterIssuer{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: h.IssuerSpec(name + "-credentials")}
	iss.Spec.Revocation = &v1alpha1.Revocation{CheckInterval: &metav1.Duration{Duration: checkInterval}}
	if err := h.Client.Create(ctx, iss); err != nil {
		t.Fatal(err)
	}
	if err := h.WaitFor(ctx, iss, harness.WaitTimeout, "Ready", func() bool { return iss.Status.IsReady(iss.Generation) }); err != nil {
		t.Fatal(err)
	}
	request, err := harness.CSRPEM("revoked-csr.example.internal")
	if err != nil {
		t.Fatal(err)
	}
	expiration := int32(3600)
	csr := &certificatesv1.CertificateSigningRequest{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: certificatesv1.CertificateSigningRequestSpec{
			Request: request, SignerName: controller.SignerPrefixClusterIssuer + iss.Name, ExpirationSeconds: &expiration,
			Usages: []certificatesv1.KeyUsage{certificatesv1.UsageDigitalSignature, certificatesv1.UsageServerAuth},
		},
	}
	if err := h.Client.Create(ctx, csr); err != nil {
		t.Fatal(err)
	}
	csr.Status.Conditions = append(csr.Status.Conditions, certificatesv1.CertificateSigningRequestCondition{
		Type: certificatesv1.CertificateApproved, Status: corev1.ConditionTrue, Reason: "ApprovedByTest", Message: "approved by the test",
	})
	if err := h.Client.SubResource("approval").Update(ctx, csr); err != nil {
		t.Fatal(err)
	}
	if err := h.WaitFor(ctx, csr, harness.WaitTimeout, "signed", func() bool { return len(csr.Status.Certificate) > 0 }); err != nil {
		t.Fatal(err)
	}
	leaf, err := firstCertificate(csr.Status.Certificate)
	if err != nil {
		t.Fatal(err)
	}

	revokeInPCA(t, pc, leaf)
	if err := pc.RenewCRL(ctx, h.PCA.CAStoreID, h.PCA.IntermediateCertID); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, "", "CertificateSigningRequest", csr.Name, "Warning", v1alpha1.ReasonCertificateRevoked,
		"serial "+wire.FormatSerial(leaf.SerialNumber)+" was revoked in the PCA")
}
