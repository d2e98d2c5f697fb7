package install

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// fieldOwner is the server-side apply manager of these tests.
const fieldOwner = client.FieldOwner("pca-issuer-install-test")

// createNamespaces creates namespaces; existing ones are fine.
func createNamespaces(t *testing.T, names ...string) {
	t.Helper()
	for _, name := range names {
		err := k8s.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}})
		if client.IgnoreAlreadyExists(err) != nil {
			t.Fatal(err)
		}
	}
}

// dryRunApply applies every object with server-side apply and dry run:
// the API server validates and admits each one and stores nothing.
func dryRunApply(t *testing.T, objs []*unstructured.Unstructured) {
	t.Helper()
	if len(objs) == 0 {
		t.Fatal("nothing to apply")
	}
	for _, obj := range objs {
		err := k8s.Apply(ctx, client.ApplyConfigurationFromUnstructured(obj), client.DryRunAll, fieldOwner, client.ForceOwnership)
		if err != nil {
			t.Errorf("the API server refused %s %s/%s: %v", obj.GetKind(), obj.GetNamespace(), obj.GetName(), err)
		}
	}
}

// TestRenderedChartPassesServerSideDryRun applies the rendered chart, with
// its defaults and with every value set, to the API server in dry-run mode.
func TestRenderedChartPassesServerSideDryRun(t *testing.T) {
	for _, tc := range []struct {
		name       string
		namespaces []string
		args       []string
	}{
		{"default values", []string{"dry-run-default"}, nil},
		{"every value set", []string{"dry-run-all", "pca-leases", "monitoring"}, []string{"-f", allValues()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			createNamespaces(t, tc.namespaces...)
			dryRunApply(t, render(t, "pca-issuer", tc.namespaces[0], tc.args...))
		})
	}
}

// TestBuildInstallerPassesServerSideDryRun runs make build-installer and
// applies its output to the API server in dry-run mode.
func TestBuildInstallerPassesServerSideDryRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "install.yaml")
	const img = "registry.example.com/pca-issuer:v1.2.3"
	runTool(t, "make", "--no-print-directory", "build-installer", "INSTALLER="+out, "IMG="+img, "KUSTOMIZE="+kustomizeBin)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	objs := decode(t, data)
	deploy := find(t, objs, "Deployment", "pca-issuer")
	if image := field(t, deploy, "spec", "template", "spec", "containers").([]any)[0].(map[string]any)["image"]; image != img {
		t.Errorf("installer image %v, want %s", image, img)
	}
	if ns := deploy.GetNamespace(); ns != "pca-issuer-system" {
		t.Errorf("installer namespace %q, want pca-issuer-system", ns)
	}
	// Dry run stores nothing, so the namespace the installer would create
	// must exist for its namespaced objects.
	createNamespaces(t, "pca-issuer-system")
	dryRunApply(t, objs)
}

// TestHelmInstallAndUpgrade installs the chart with helm into the API
// server, checks every object exists, upgrades with a changed CRD, and
// uninstalls, which keeps the CRDs.
func TestHelmInstallAndUpgrade(t *testing.T) {
	const release, ns = "pca-issuer", "helm-install"
	helm(t, "install", release, chartDir, "--namespace", ns, "--create-namespace")
	manifest := decode(t, helm(t, "get", "manifest", release, "--namespace", ns))
	if len(manifest) < 10 {
		t.Fatalf("the release holds %d objects", len(manifest))
	}
	for _, obj := range manifest {
		live := &unstructured.Unstructured{}
		live.SetGroupVersionKind(obj.GroupVersionKind())
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(obj), live); err != nil {
			t.Errorf("%s %s/%s was not created: %v", obj.GetKind(), obj.GetNamespace(), obj.GetName(), err)
		}
	}

	// A copy of the chart whose PCAIssuer CRD gains a printer column.
	upgraded := copyChart(t)
	crdFile := filepath.Join(upgraded, "templates", "crds", "nhnpca.issuer.dev_pcaissuers.yaml")
	editFile(t, crdFile, "  - additionalPrinterColumns:\n",
		"  - additionalPrinterColumns:\n    - jsonPath: .spec.templateId\n      name: Template\n      type: integer\n")
	helm(t, "upgrade", release, upgraded, "--namespace", ns)
	crd := &apiextensionsv1.CustomResourceDefinition{}
	if err := k8s.Get(ctx, client.ObjectKey{Name: "pcaissuers.nhnpca.issuer.dev"}, crd); err != nil {
		t.Fatal(err)
	}
	if got := crd.Spec.Versions[0].AdditionalPrinterColumns[0].Name; got != "Template" {
		t.Errorf("after helm upgrade the CRD's first printer column is %q, want Template", got)
	}

	helm(t, "uninstall", release, "--namespace", ns)
	if err := k8s.Get(ctx, client.ObjectKey{Name: "pcaissuers.nhnpca.issuer.dev"}, crd); err != nil {
		t.Errorf("helm uninstall removed the kept CRD: %v", err)
	}
	deploy := &unstructured.Unstructured{}
	deploy.SetAPIVersion("apps/v1")
	deploy.SetKind("Deployment")
	if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: release}, deploy); !apierrors.IsNotFound(err) {
		t.Errorf("after helm uninstall the Deployment lookup says %v, want not found", err)
	}
}

// TestApproverRBAC installs the approver RBAC for a chosen service account
// and asks the API server, as cert-manager's webhook does before it
// accepts an approval, whether that account may approve requests for
// various issuers.
func TestApproverRBAC(t *testing.T) {
	const approver = "system:serviceaccount:approvers:policy"
	subjects := `[{"kind":"ServiceAccount","name":"policy","namespace":"approvers"}]`
	for _, obj := range render(t, "approver-all", "approvers", "--show-only", "templates/approver-rbac.yaml",
		"--set-json", "approver.subjects="+subjects) {
		if err := k8s.Create(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}
	// The same approver, narrowed to one PCAIssuer.
	for _, obj := range render(t, "approver-one", "approvers", "--show-only", "templates/approver-rbac.yaml",
		"--set-json", "approver.subjects="+strings.Replace(subjects, "policy", "narrow", 1),
		"--set-json", `approver.signerNames=["pcaissuers.nhnpca.issuer.dev/team-a.web"]`) {
		if err := k8s.Create(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}
	const narrow = "system:serviceaccount:approvers:narrow"
	for _, tc := range []struct {
		name        string
		user        string
		signerNames []string
		want        bool
	}{
		{"PCAIssuer as cert-manager asks", approver, signerNames("pcaissuers", "nhnpca.issuer.dev", "team-a", "web"), true},
		{"PCAClusterIssuer as cert-manager asks", approver, signerNames("pcaclusterissuers", "nhnpca.issuer.dev", "", "shared"), true},
		{"cert-manager's own Issuer", approver, signerNames("issuers", "cert-manager.io", "team-a", "web"), false},
		{"another issuer group", approver, signerNames("pcaissuers", "other.example.com", "team-a", "web"), false},
		{"an account not bound", "system:serviceaccount:approvers:someone-else", signerNames("pcaissuers", "nhnpca.issuer.dev", "team-a", "web"), false},
		{"narrowed: the named PCAIssuer", narrow, []string{"pcaissuers.nhnpca.issuer.dev/team-a.web"}, true},
		{"narrowed: another PCAIssuer", narrow, signerNames("pcaissuers", "nhnpca.issuer.dev", "team-b", "web"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := mayApprove(t, tc.user, tc.signerNames); got != tc.want {
				t.Errorf("%s may approve %v: %v, want %v", tc.user, tc.signerNames, got, tc.want)
			}
		})
	}
}

// signerNames returns the names cert-manager's webhook checks for an
// issuer: the wildcard of its kind, then the issuer itself,
// <namespace>.<name> for a namespaced one.
func signerNames(resource, group, namespace, name string) []string {
	one := resource + "." + group + "/" + name
	if namespace != "" {
		one = resource + "." + group + "/" + namespace + "." + name
	}
	return []string{resource + "." + group + "/*", one}
}

// mayApprove reports whether a SubjectAccessReview allows the user (a
// service account) the verb approve on signers of cert-manager.io for any
// of the names.
func mayApprove(t *testing.T, user string, names []string) bool {
	t.Helper()
	parts := strings.Split(user, ":")
	groups := []string{"system:authenticated", "system:serviceaccounts", "system:serviceaccounts:" + parts[2]}
	for _, name := range names {
		review := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
			User:   user,
			Groups: groups,
			ResourceAttributes: &authorizationv1.ResourceAttributes{
				Group: "cert-manager.io", Resource: "signers", Verb: "approve", Name: name,
			},
		}}
		if err := k8s.Create(ctx, review); err != nil {
			t.Fatal(err)
		}
		if review.Status.Allowed {
			return true
		}
	}
	return false
}

// copyChart copies the chart into a temporary folder.
func copyChart(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "pca-issuer")
	if err := os.CopyFS(dst, os.DirFS(chartDir)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// editFile replaces the first occurrence of old in a file, failing when
// there is none.
func editFile(t *testing.T, path, old, replacement string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s does not contain %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, replacement, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}
