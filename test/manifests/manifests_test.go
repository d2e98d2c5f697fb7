// Package manifests checks that the generated files in the repository are
// what controller-gen makes from the current markers: CRDs, RBAC and
// deepcopy code.
package manifests

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/nhnpca/pca-issuer/test/harness"
)

// controllerGen returns the controller-gen binary: $CONTROLLER_GEN when set
// (the Makefile sets it), else one built from hack/tools/controller-gen.
func controllerGen(t *testing.T, root string) string {
	t.Helper()
	if bin := os.Getenv("CONTROLLER_GEN"); bin != "" {
		return bin
	}
	bin := filepath.Join(t.TempDir(), "controller-gen")
	cmd := exec.Command("go", "build", "-o", bin, "sigs.k8s.io/controller-tools/cmd/controller-gen")
	cmd.Dir = filepath.Join(root, "hack", "tools", "controller-gen")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building controller-gen: %v\n%s", err, out)
	}
	return bin
}

// TestGeneratedFilesAreCurrent regenerates into a temporary folder and
// compares with the committed files; run `make manifests generate` to fix.
func TestGeneratedFilesAreCurrent(t *testing.T) {
	root, err := harness.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	gen := controllerGen(t, root)
	out := t.TempDir()
	run := func(args ...string) {
		cmd := exec.Command(gen, args...)
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("controller-gen %v: %v\n%s", args, err, b)
		}
	}
	run("crd", "rbac:roleName=pca-issuer-manager-role", "paths=./api/...", "paths=./internal/...",
		"output:crd:artifacts:config="+filepath.Join(out, "crd"), "output:rbac:artifacts:config="+filepath.Join(out, "rbac"))
	compareDir(t, filepath.Join(out, "crd"), filepath.Join(root, "config", "crd", "bases"))
	compareFile(t, filepath.Join(out, "rbac", "role.yaml"), filepath.Join(root, "config", "rbac", "role.yaml"))

	run("object", "paths=./api/...", "output:object:dir="+filepath.Join(out, "object"))
	compareFile(t, filepath.Join(out, "object", "zz_generated.deepcopy.go"), filepath.Join(root, "api", "v1alpha1", "zz_generated.deepcopy.go"))
}

func compareDir(t *testing.T, got, want string) {
	t.Helper()
	entries, err := os.ReadDir(got)
	if err != nil {
		t.Fatal(err)
	}
	wantEntries, err := os.ReadDir(want)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(wantEntries) {
		t.Errorf("%s has %d files, generation makes %d: run make manifests", want, len(wantEntries), len(entries))
	}
	for _, e := range entries {
		compareFile(t, filepath.Join(got, e.Name()), filepath.Join(want, e.Name()))
	}
}

func compareFile(t *testing.T, got, want string) {
	t.Helper()
	g, err := os.ReadFile(got)
	if err != nil {
		t.Fatal(err)
	}
	w, err := os.ReadFile(want)
	if err != nil {
		t.Fatalf("%v: run make manifests generate", err)
	}
	if !bytes.Equal(g, w) {
		t.Errorf("%s is stale: run make manifests generate", want)
	}
}
