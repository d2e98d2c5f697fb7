package harness

import (
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
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/cert-manager/cert-manager")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("harness: locating the cert-manager module: %w", err)
	}
	return filepath.Join(strings.TrimSpace(string(out)), "deploy", "crds"), nil
}
