package install

import (
	"path/filepath"
	"reflect"
	"testing"
)

// TestChartCRDsMatchConfig checks that the chart installs the CRDs of
// config/crd/bases unchanged apart from the wrapper of make helm-crds: the
// chart's labels and, under crds.keep, helm.sh/resource-policy: keep.
func TestChartCRDsMatchConfig(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(root, "config", "crd", "bases", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no CRD in config/crd/bases (%v)", err)
	}
	kept := render(t, "pca-issuer", "pca-issuer-system")
	notKept := render(t, "pca-issuer", "pca-issuer-system", "--set", "crds.keep=false")
	if n := len(ofKind(kept, "CustomResourceDefinition")); n != len(files) {
		t.Errorf("the chart renders %d CRDs, config/crd/bases has %d: run make helm-crds", n, len(files))
	}
	for _, file := range files {
		rel, _ := filepath.Rel(root, file)
		want := readObjects(t, rel)[0]
		got := find(t, kept, "CustomResourceDefinition", want.GetName())
		if !reflect.DeepEqual(got.Object["spec"], want.Object["spec"]) {
			t.Errorf("the chart's CRD %s differs from %s: run make helm-crds", want.GetName(), rel)
		}
		annotations := got.GetAnnotations()
		if annotations["helm.sh/resource-policy"] != "keep" {
			t.Errorf("CRD %s lacks helm.sh/resource-policy: keep", want.GetName())
		}
		delete(annotations, "helm.sh/resource-policy")
		if !reflect.DeepEqual(annotations, want.GetAnnotations()) {
			t.Errorf("CRD %s annotations %v, want %v plus keep", want.GetName(), annotations, want.GetAnnotations())
		}
		if got.GetLabels()["app.kubernetes.io/name"] != "pca-issuer" {
			t.Errorf("CRD %s lacks the chart's labels: %v", want.GetName(), got.GetLabels())
		}
		if _, ok := find(t, notKept, "CustomResourceDefinition", want.GetName()).GetAnnotations()["helm.sh/resource-policy"]; ok {
			t.Errorf("CRD %s is kept although crds.keep=false", want.GetName())
		}
	}
}

// TestChartManagerRoleMatchesConfig checks that the chart grants the
// manager exactly the rules that controller-gen makes from the RBAC
// markers into config/rbac/role.yaml.
func TestChartManagerRoleMatchesConfig(t *testing.T) {
	want := find(t, readObjects(t, "config/rbac/role.yaml"), "ClusterRole", "pca-issuer-manager-role")
	got := find(t, render(t, "pca-issuer", "pca-issuer-system"), "ClusterRole", "pca-issuer-manager")
	if !reflect.DeepEqual(got.Object["rules"], want.Object["rules"]) {
		t.Errorf("the chart's manager ClusterRole rules differ from config/rbac/role.yaml: run make helm-crds\n got %v\nwant %v",
			got.Object["rules"], want.Object["rules"])
	}
}

// TestKustomizeMatchesChartDefaults checks that config/default deploys the
// same manager as the chart with its default values: same pod spec, same
// approver and leader election rules.
func TestKustomizeMatchesChartDefaults(t *testing.T) {
	kustomized := decode(t, runTool(t, kustomizeBin, "build", "config/default"))
	chart := render(t, "pca-issuer", "pca-issuer-system")
	pairs := []struct {
		kind, kustomizeName, chartName string
		path                           []string
	}{
		{"Deployment", "pca-issuer", "pca-issuer", []string{"spec", "template", "spec"}},
		{"Deployment", "pca-issuer", "pca-issuer", []string{"spec", "replicas"}},
		{"ServiceAccount", "pca-issuer", "pca-issuer", []string{"automountServiceAccountToken"}},
		{"ClusterRole", "pca-issuer-approver", "pca-issuer-approver", []string{"rules"}},
		{"ClusterRoleBinding", "pca-issuer-approver", "pca-issuer-approver", []string{"subjects"}},
		{"Role", "pca-issuer-leader-election-role", "pca-issuer-leader-election", []string{"rules"}},
		{"Service", "pca-issuer-metrics", "pca-issuer-metrics", []string{"spec", "ports"}},
	}
	for _, p := range pairs {
		got := field(t, find(t, kustomized, p.kind, p.kustomizeName), p.path...)
		want := field(t, find(t, chart, p.kind, p.chartName), p.path...)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("config/default %s %s %v differs from the chart's default\n got %v\nwant %v",
				p.kind, p.kustomizeName, p.path, got, want)
		}
	}
}
