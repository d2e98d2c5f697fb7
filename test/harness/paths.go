package harness

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// RepoRoot returns the folder of this module's go.mod, found by walking up
// from the working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.Contains(string(data), "module github.com/nhnpca/pca-issuer\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("harness: the pca-issuer module root was not found above the working directory")
		}
		dir = parent
	}
}

// ControlPlaneAssets returns the folder holding kube-apiserver and etcd:
// KUBEBUILDER_ASSETS when set, else the cache that hack/control-plane.sh
// fills (building the binaries on first use; its progress goes to stderr).
func ControlPlaneAssets(root string) (string, error) {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir, nil
	}
	cmd := exec.Command(filepath.Join(root, "hack", "control-plane.sh"))
	cmd.Dir = root
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("harness: building the control plane with hack/control-plane.sh: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// certManagerCRDs returns the folder of cert-manager's CRDs in the module
// cache (the module zip ships deploy/crds).
func certManagerCRDs(root string) (string, error) {
	dir, err := moduleDir(root, "github.com/cert-manager/cert-manager")
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "deploy", "crds"), nil
}

// gatewayAPICRDs returns the folder of the Gateway API's standard-channel
// CRDs in the module cache: the module is a dependency of cert-manager's
// gateway-shim, so its version is the one cert-manager is built with.
func gatewayAPICRDs(root string) (string, error) {
	dir, err := moduleDir(root, "sigs.k8s.io/gateway-api")
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "config", "crd", "standard"), nil
}

// moduleDir returns the module cache folder of a module of this module's
// build list, downloading it first when missing (a clean machine).
func moduleDir(root, module string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", module)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("harness: locating the module %s: %w", module, err)
	}
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(out, &info); err != nil {
		return "", fmt.Errorf("harness: locating the module %s: %w", module, err)
	}
	if info.Dir == "" {
		return "", fmt.Errorf("harness: locating the module %s: %s", module, info.Error)
	}
	return info.Dir, nil
}
