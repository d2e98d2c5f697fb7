// Package install checks the ways users install pca-issuer: the Helm chart
// (lint, render, server-side dry run, helm install and upgrade against a
// real API server, RBAC), and the kustomize installer of make
// build-installer. All tests share one kube-apiserver and etcd.
package install

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/nhnpca/pca-issuer/test/harness"
)

// The shared fixture, set by TestMain.
var (
	// root is the repository.
	root string
	// chartDir is charts/pca-issuer.
	chartDir string
	// helmBin and kustomizeBin are the tool binaries.
	helmBin, kustomizeBin string
	// kubeconfig reaches the API server as a cluster admin.
	kubeconfig string
	// k8s is a direct client of the API server.
	k8s client.Client
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

// run sets the fixture up, runs the tests and tears it down; errors in
// set-up fail the package.
func run(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "pca-issuer-install-")
	if err != nil {
		return fail(err)
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	if root, err = harness.RepoRoot(); err != nil {
		return fail(err)
	}
	chartDir = filepath.Join(root, "charts", "pca-issuer")
	if helmBin, err = tool("HELM", "helm", tmp); err != nil {
		return fail(err)
	}
	if kustomizeBin, err = tool("KUSTOMIZE", "kustomize", tmp); err != nil {
		return fail(err)
	}
	assets, err := harness.ControlPlaneAssets(root)
	if err != nil {
		return fail(err)
	}
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return fail(err)
	}
	if err := apiextensionsv1.AddToScheme(scheme); err != nil {
		return fail(err)
	}
	monitoringCRDs, err := prometheusOperatorCRDs()
	if err != nil {
		return fail(err)
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		// prometheus-operator's own ServiceMonitor and PrometheusRule CRDs,
		// so that the chart's optional monitoring objects are checked
		// against the schemas they will meet.
		CRDDirectoryPaths:     monitoringCRDs,
		ErrorIfCRDPathMissing: true,
		Scheme:                scheme,
	}
	cfg, err := env.Start()
	if err != nil {
		return fail(fmt.Errorf("starting the control plane: %w", err))
	}
	defer func() { _ = env.Stop() }()
	kubeconfig = filepath.Join(tmp, "kubeconfig")
	if err := os.WriteFile(kubeconfig, env.KubeConfig, 0o600); err != nil {
		return fail(err)
	}
	if k8s, err = client.New(cfg, client.Options{Scheme: scheme}); err != nil {
		return fail(err)
	}
	return m.Run()
}

func fail(err error) int {
	fmt.Fprintln(os.Stderr, "test/install:", err)
	return 1
}

// tool returns $envVar when set (make test sets HELM and KUSTOMIZE), else
// builds the tool with its make target into dir, so that the test uses
// exactly what users get.
func tool(envVar, target, dir string) (string, error) {
	if bin := os.Getenv(envVar); bin != "" {
		return bin, nil
	}
	bin := filepath.Join(dir, target)
	cmd := exec.Command("make", "--no-print-directory", target, envVar+"="+bin)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("make %s: %w\n%s", target, err, out)
	}
	return bin, nil
}

// prometheusOperatorCRDs returns the files of prometheus-operator's
// ServiceMonitor and PrometheusRule CRDs, as released in the module that
// hack/tools/prometheus-operator pins (its zip ships
// example/prometheus-operator-crd), downloading the module when missing.
func prometheusOperatorCRDs() ([]string, error) {
	const module = "github.com/prometheus-operator/prometheus-operator"
	cmd := exec.Command("go", "mod", "download", "-json", module)
	cmd.Dir = filepath.Join(root, "hack", "tools", "prometheus-operator")
	out, err := cmd.Output()
	var info struct{ Dir, Error string }
	if jsonErr := json.Unmarshal(out, &info); err != nil || jsonErr != nil || info.Dir == "" {
		return nil, fmt.Errorf("locating the module %s: %v %v %s", module, err, jsonErr, info.Error)
	}
	dir := filepath.Join(info.Dir, "example", "prometheus-operator-crd")
	return []string{
		filepath.Join(dir, "monitoring.coreos.com_servicemonitors.yaml"),
		filepath.Join(dir, "monitoring.coreos.com_prometheusrules.yaml"),
	}, nil
}

// ctx is the context of API calls; the tests are bounded by go test's
// timeout.
var ctx = context.Background()
