package e2e

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/test/harness"
)

// mastersGroup is the group that bypasses RBAC: a manager in it would
// hide every permission the chart lacks.
const mastersGroup = "system:masters"

// TestManagerRunsAsChartServiceAccount: the manager authenticates with a
// ServiceAccount token only, the API server sees it as the chart's
// ServiceAccount outside system:masters, and its permissions are the
// chart's: what the manager's calls need, nothing an admin has beyond.
func TestManagerRunsAsChartServiceAccount(t *testing.T) {
	m := h.DefaultManager()
	if m == nil {
		t.Fatal("no default manager runs")
	}
	cfg := m.Config()
	if cfg.BearerToken == "" || len(cfg.CertData) > 0 || cfg.CertFile != "" || len(cfg.KeyData) > 0 || cfg.Impersonate.UserName != "" {
		t.Errorf("the manager's configuration is not a bare ServiceAccount token: token %t, client certificate %t, impersonating %q",
			cfg.BearerToken != "", len(cfg.CertData) > 0 || cfg.CertFile != "", cfg.Impersonate.UserName)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	review, err := cs.AuthenticationV1().SelfSubjectReviews().Create(t.Context(), &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	user := review.Status.UserInfo
	if want := "system:serviceaccount:" + harness.ChartNamespace + ":" + h.Identity.ServiceAccount; user.Username != want {
		t.Errorf("the manager is %q, want %q", user.Username, want)
	}
	if slices.Contains(user.Groups, mastersGroup) || !slices.Contains(user.Groups, "system:serviceaccounts:"+harness.ChartNamespace) {
		t.Errorf("the manager's groups are %v: want its ServiceAccount's, without %s", user.Groups, mastersGroup)
	}
	for _, c := range []struct {
		attrs authorizationv1.ResourceAttributes
		want  bool
	}{
		{authorizationv1.ResourceAttributes{Group: "certificates.k8s.io", Resource: "certificatesigningrequests", Verb: "patch"}, true},
		{authorizationv1.ResourceAttributes{Group: "certificates.k8s.io", Resource: "signers", Verb: "sign", Name: "pcaclusterissuers.nhnpca.issuer.dev/*"}, true},
		{authorizationv1.ResourceAttributes{Group: "coordination.k8s.io", Resource: "leases", Verb: "update", Namespace: h.Identity.LeaderElectionNamespace}, true},
		{authorizationv1.ResourceAttributes{Resource: "secrets", Verb: "create", Namespace: h.ClusterResourceNamespace}, false},
		{authorizationv1.ResourceAttributes{Group: "certificates.k8s.io", Resource: "signers", Verb: "sign", Name: "kubernetes.io/kube-apiserver-client"}, false},
		{authorizationv1.ResourceAttributes{Group: "coordination.k8s.io", Resource: "leases", Verb: "update", Namespace: "kube-system"}, false},
	} {
		ssar, err := cs.AuthorizationV1().SelfSubjectAccessReviews().Create(t.Context(), &authorizationv1.SelfSubjectAccessReview{
			Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &c.attrs},
		}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if ssar.Status.Allowed != c.want {
			t.Errorf("the manager may %s %s %q in %q: %t, want %t", c.attrs.Verb, c.attrs.Resource, c.attrs.Name, c.attrs.Namespace, ssar.Status.Allowed, c.want)
		}
	}
}

// TestKubernetesCSRsSignedAsChartServiceAccount: approved Kubernetes CSRs
// for both signer-name forms (pcaclusterissuers.nhnpca.issuer.dev/<name>
// and pcaissuers.nhnpca.issuer.dev/<namespace>.<name>) are signed, and
// every write to them (in-flight marker, certificate) comes from the
// chart's ServiceAccount: a ValidatingAdmissionPolicy refuses updates of
// the test's CSRs by anyone else, cluster admins included.
func TestKubernetesCSRsSignedAsChartServiceAccount(t *testing.T) {
	ns := newNamespace(t)
	label := map[string]string{"e2e.nhnpca.issuer.dev/identity": ns}
	onlyChartMayUpdate(t, ns, label)

	cluster := &v1alpha1.PCAClusterIssuer{ObjectMeta: metav1.ObjectMeta{Name: "identity-" + ns}, Spec: h.IssuerSpec("identity-" + ns + "-credentials")}
	create(t, h.CredentialsSecret(h.ClusterResourceNamespace, cluster.Spec.CredentialsRef.Name))
	create(t, cluster)
	namespaced := newIssuer(t, ns, "pca")
	waitIssuerReady(t, cluster, metav1.ConditionTrue, v1alpha1.ReasonChecked)
	waitIssuerReady(t, namespaced, metav1.ConditionTrue, v1alpha1.ReasonChecked)

	for _, signerName := range []string{
		"pcaclusterissuers.nhnpca.issuer.dev/" + cluster.Name,
		"pcaissuers.nhnpca.issuer.dev/" + ns + "." + namespaced.Name,
	} {
		t.Run(signerName, func(t *testing.T) {
			host := fmt.Sprintf("csr-%d.%s.example.internal", nsCounter.Add(1), ns)
			csr := approvedKubernetesCSR(t, host, signerName, label)
			if err := h.WaitFor(t.Context(), csr, harness.WaitTimeout, "signed", func() bool { return len(csr.Status.Certificate) > 0 }); err != nil {
				t.Fatalf("%v; conditions: %+v", err, csr.Status.Conditions)
			}
			leaf := parsePEMCertificates(t, csr.Status.Certificate)[0]
			if !slices.Equal(leaf.DNSNames, []string{host}) {
				t.Errorf("signed certificate names %v, want [%s]", leaf.DNSNames, host)
			}
			if got := h.Emulator.IssuanceCountFor(leaf.PublicKey); got != 1 {
				t.Errorf("%d issuances for the CSR's key, want 1", got)
			}
		})
	}
}

// onlyChartMayUpdate installs a ValidatingAdmissionPolicy that refuses
// updates (object and status) of CSRs labelled label to every user but
// the chart's ServiceAccount outside system:masters, and waits until the
// API server enforces it on an admin's dry-run update.
func onlyChartMayUpdate(t *testing.T, name string, label map[string]string) {
	t.Helper()
	policyName := "only-chart-updates-" + name
	expression := fmt.Sprintf("request.userInfo.username == %q && !(%q in request.userInfo.groups)", h.Identity.UserName(), mastersGroup)
	fail := admissionregistrationv1.Fail
	create(t, &admissionregistrationv1.ValidatingAdmissionPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: policyName},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{
			FailurePolicy: &fail,
			MatchConstraints: &admissionregistrationv1.MatchResources{
				ObjectSelector: &metav1.LabelSelector{MatchLabels: label},
				ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{RuleWithOperations: admissionregistrationv1.RuleWithOperations{
					Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Update},
					Rule: admissionregistrationv1.Rule{
						APIGroups: []string{"certificates.k8s.io"}, APIVersions: []string{"v1"},
						Resources: []string{"certificatesigningrequests", "certificatesigningrequests/status"},
					},
				}}},
			},
			Validations: []admissionregistrationv1.Validation{{Expression: expression, Message: "only the chart's ServiceAccount updates this CSR"}},
		},
	})
	create(t, &admissionregistrationv1.ValidatingAdmissionPolicyBinding{
		ObjectMeta: metav1.ObjectMeta{Name: policyName},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{
			PolicyName:        policyName,
			ValidationActions: []admissionregistrationv1.ValidationAction{admissionregistrationv1.Deny},
		},
	})
	t.Cleanup(func() {
		ctx := h.Context()
		_ = h.Client.Delete(ctx, &admissionregistrationv1.ValidatingAdmissionPolicyBinding{ObjectMeta: metav1.ObjectMeta{Name: policyName}})
		_ = h.Client.Delete(ctx, &admissionregistrationv1.ValidatingAdmissionPolicy{ObjectMeta: metav1.ObjectMeta{Name: policyName}})
	})
	// A probe CSR of a signer nobody serves: the admin's dry-run update is
	// refused once the policy is in force.
	probe := kubernetesCSR(t, "probe-"+name+".example.internal", "example.com/identity-probe", label)
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, harness.WaitTimeout, true, func(ctx context.Context) (bool, error) {
		patched := probe.DeepCopy()
		patched.Annotations = map[string]string{"probe": time.Now().String()}
		err := h.Client.Patch(ctx, patched, client.MergeFrom(probe), client.DryRunAll)
		return apierrors.IsInvalid(err) || apierrors.IsForbidden(err), nil
	})
	if err != nil {
		t.Fatalf("the ValidatingAdmissionPolicy was not enforced on an admin's update: %v", err)
	}
}

// approvedKubernetesCSR creates a CSR for host as the admin and approves
// it.
func approvedKubernetesCSR(t *testing.T, host, signerName string, labels map[string]string) *certificatesv1.CertificateSigningRequest {
	t.Helper()
	csr := kubernetesCSR(t, host, signerName, labels)
	csr.Status.Conditions = append(csr.Status.Conditions, certificatesv1.CertificateSigningRequestCondition{
		Type: certificatesv1.CertificateApproved, Status: corev1.ConditionTrue, Reason: "ApprovedByTest", Message: "approved by the test",
	})
	if err := h.Client.SubResource("approval").Update(t.Context(), csr); err != nil {
		t.Fatal(err)
	}
	return csr
}

// kubernetesCSR creates a CSR named after host, of a fresh P-256 key for
// the DNS name host, with a one-hour expiration.
func kubernetesCSR(t *testing.T, host, signerName string, labels map[string]string) *certificatesv1.CertificateSigningRequest {
	t.Helper()
	request, err := harness.CSRPEM(host)
	if err != nil {
		t.Fatal(err)
	}
	expiration := int32(3600)
	csr := &certificatesv1.CertificateSigningRequest{
		ObjectMeta: metav1.ObjectMeta{Name: host, Labels: labels},
		Spec: certificatesv1.CertificateSigningRequestSpec{
			Request:           request,
			SignerName:        signerName,
			ExpirationSeconds: &expiration,
			Usages:            []certificatesv1.KeyUsage{certificatesv1.UsageDigitalSignature, certificatesv1.UsageServerAuth},
		},
	}
	create(t, csr)
	t.Cleanup(func() { _ = h.Client.Delete(h.Context(), csr) })
	return csr
}
