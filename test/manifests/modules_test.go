package manifests

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nhnpca/pca-issuer/test/harness"
)

// goMod is the part of `go mod edit -json` these tests read.
type goMod struct {
	Module  struct{ Path string }
	Require []struct{ Path, Version string }
}

// readGoMod reads the go.mod in dir as the go command parses it (no network).
func readGoMod(t *testing.T, dir string) goMod {
	t.Helper()
	cmd := exec.Command("go", "mod", "edit", "-json")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go mod edit -json in %s: %v", dir, err)
	}
	var m goMod
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("go mod edit -json in %s: %v", dir, err)
	}
	return m
}

// toolOnlyModules are the benchmark chart's library and the PDF, LaTeX, SVG
// and font packages it brings; the benchmark is a module of its own
// (test/bench/go.mod) so that none of them is a requirement of the product.
var toolOnlyModules = []string{
	"gonum.org/v1/plot",
	"codeberg.org/go-pdf/",
	"codeberg.org/go-latex/",
	"codeberg.org/go-fonts/",
	"github.com/ajstarks/svgo",
	"git.sr.ht/~sbinet/gg",
}

// TestProductModuleHasNoBenchmarkDependencies keeps the chart library out of
// the product's go.mod: `go mod tidy` in the root drops it only while
// nothing in the root module imports it.
func TestProductModuleHasNoBenchmarkDependencies(t *testing.T) {
	root, err := harness.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, req := range readGoMod(t, root).Require {
		for _, prefix := range toolOnlyModules {
			if strings.HasPrefix(req.Path, prefix) {
				t.Errorf("go.mod requires %s %s, a dependency of the benchmark only; it belongs in test/bench/go.mod", req.Path, req.Version)
			}
		}
	}
}

// TestBenchmarkBuildsWhatTheProductShips checks that every module both
// go.mod files require has one version: the benchmark compiles the harness,
// the emulator and cert-manager's controllers from its own build list, and a
// newer version there would measure something the product does not run.
func TestBenchmarkBuildsWhatTheProductShips(t *testing.T) {
	root, err := harness.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	product := map[string]string{}
	for _, req := range readGoMod(t, root).Require {
		product[req.Path] = req.Version
	}
	bench := readGoMod(t, filepath.Join(root, "test", "bench"))
	if bench.Module.Path != "github.com/nhnpca/pca-issuer/test/bench" {
		t.Fatalf("test/bench/go.mod declares module %q", bench.Module.Path)
	}
	shared := 0
	for _, req := range bench.Require {
		want, ok := product[req.Path]
		if !ok {
			continue
		}
		shared++
		if req.Version != want {
			t.Errorf("test/bench/go.mod requires %s %s, the product %s; run `go -C test/bench mod tidy` after aligning them", req.Path, req.Version, want)
		}
	}
	// The harness alone needs cert-manager, controller-runtime and client-go.
	if shared < 3 {
		t.Errorf("test/bench/go.mod shares %d requirements with go.mod; it should build on the product's", shared)
	}
}
