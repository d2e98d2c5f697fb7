package harness

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// HelmBinary returns the helm binary the harness renders the chart with:
// $HELM when it names an existing file (make test exports and builds it),
// else the binary `make helm` builds, as users build it, at $HELM or the
// repository's bin/helm. make rebuilds it only when hack/tools/helm
// changes, so after the first build this costs one make run. Errors carry
// make's output.
func HelmBinary(root string) (string, error) {
	bin := os.Getenv("HELM")
	if bin != "" {
		if _, err := os.Stat(bin); err == nil {
			return bin, nil
		}
	} else {
		bin = filepath.Join(root, "bin", "helm")
	}
	cmd := exec.Command("make", "--no-print-directory", "helm", "HELM="+bin)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("harness: make helm: %w\n%s", err, out)
	}
	return bin, nil
}

// renderChart runs `helm template` on charts/pca-issuer for a release
// name and namespace, with --set values, and returns the YAML stream.
func renderChart(helm, root, release, namespace string, set ...string) ([]byte, error) {
	args := []string{"template", release, filepath.Join(root, "charts", "pca-issuer"), "--namespace", namespace}
	for _, s := range set {
		args = append(args, "--set", s)
	}
	cmd := exec.Command(helm, args...)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("harness: helm template: %w\n%s", err, stderr.String())
	}
	return out, nil
}
