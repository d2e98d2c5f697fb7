package reliability

import (
	"testing"

	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/internal/controller"
	"github.com/nhnpca/pca-issuer/test/harness"
)

// TestKubernetesCSRForNamespacedIssuer: a CSR naming a PCAIssuer is signed
// when its requester may reference that signer (SubjectAccessReview), and
// fails with a message saying which grant is missing when not.
func TestKubernetesCSRForNamespacedIssuer(t *testing.T) {
	noFaults(t)
	ns := setup(t)
	signerName := controller.SignerPrefixIssuer + ns + ".pca"
	// A user who may create CSRs but may not reference the signer.
	create(t, &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: "csr-creator-" + ns},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{"certificates.k8s.io"}, Resources: []string{"certificatesigningrequests"}, Verbs: []string{"create", "get"}}},
	})
	create(t, &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "csr-creator-" + ns},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "csr-creator-" + ns},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: "bob-" + ns}},
	})
	bobConfig := rest.CopyConfig(h.Config)
	bobConfig.Impersonate = rest.ImpersonationConfig{UserName: "bob-" + ns}
	bob, err := client.New(bobConfig, client.Options{Scheme: h.Client.Scheme()})
	if err != nil {
		t.Fatal(err)
	}

	allowed := approvedCSR(t, h.Client, "ns-allowed-"+ns, signerName) // the admin may reference anything
	refused := approvedCSR(t, bob, "ns-refused-"+ns, signerName)      // bob may not
	if err := h.WaitFor(t.Context(), allowed, harness.WaitTimeout, "signed", func() bool { return len(allowed.Status.Certificate) > 0 }); err != nil {
		t.Fatal(err)
	}
	var failed *certificatesv1.CertificateSigningRequestCondition
	if err := h.WaitFor(t.Context(), refused, harness.WaitTimeout, "Failed", func() bool {
		for i, c := range refused.Status.Conditions {
			if c.Type == certificatesv1.CertificateFailed && c.Status == corev1.ConditionTrue {
				failed = &refused.Status.Conditions[i]
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatal(err)
	}
	if failed.Reason != "SignerNotReferenceable" || len(refused.Status.Certificate) > 0 {
		t.Errorf("refused CSR: %+v, certificate %d bytes", failed, len(refused.Status.Certificate))
	}
}

// approvedCSR creates a CSR for signerName as c's user, then approves it
// as the admin.
func approvedCSR(t *testing.T, c client.Client, name, signerName string) *certificatesv1.CertificateSigningRequest {
	t.Helper()
	csr := &certificatesv1.CertificateSigningRequest{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: certificatesv1.CertificateSigningRequestSpec{
			Request:    csrPEM(t, name+".example.internal"),
			SignerName: signerName,
			Usages:     []certificatesv1.KeyUsage{certificatesv1.UsageDigitalSignature, certificatesv1.UsageServerAuth},
		},
	}
	if err := c.Create(t.Context(), csr); err != nil {
		t.Fatal(err)
	}
	if err := h.Client.Get(t.Context(), client.ObjectKeyFromObject(csr), csr); err != nil {
		t.Fatal(err)
	}
	csr.Status.Conditions = append(csr.Status.Conditions, certificatesv1.CertificateSigningRequestCondition{
		Type: certificatesv1.CertificateApproved, Status: corev1.ConditionTrue, Reason: "ApprovedByTest", Message: "approved by the test",
	})
	if err := h.Client.SubResource("approval").Update(t.Context(), csr); err != nil {
		t.Fatal(err)
	}
	return csr
}
