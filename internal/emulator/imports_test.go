package emulator

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestImportsOnlyTheWireTypesOfTheClient holds the layering the compiler
// cannot: the emulator and its command speak the API through
// internal/pca/wire alone, so they can never call the product's client, and
// its token source and rate limiter stay out of the emulator's build.
func TestImportsOnlyTheWireTypesOfTheClient(t *testing.T) {
	out := listDeps(t, "./...", "../../cmd/pca-emulator")
	// The client itself (not its wire sub-package), and the token and
	// rate-limit modules with all their packages.
	const client = "github.com/nhnpca/pca-issuer/internal/pca"
	forbiddenTrees := []string{"golang.org/x/oauth2", "golang.org/x/time/rate"}
	sawWire := false
	for pkg := range strings.FieldsSeq(out) {
		sawWire = sawWire || pkg == client+"/wire"
		bad := pkg == client
		for _, tree := range forbiddenTrees {
			bad = bad || pkg == tree || strings.HasPrefix(pkg, tree+"/")
		}
		if bad {
			t.Errorf("the emulator depends on %s; it may use only internal/pca/wire of the client", pkg)
		}
	}
	if !sawWire {
		t.Errorf("internal/pca/wire is not among the emulator's dependencies; the listing is not the one this test expects:\n%s", out)
	}
}

// TestLayersStayApart holds the emulator's three layers (package doc) to
// their parts: the CA knows neither HTTP nor storage, the storage neither
// HTTP nor X.509.
func TestLayersStayApart(t *testing.T) {
	const module = "github.com/nhnpca/pca-issuer/internal/emulator/"
	forbidden := map[string][]string{
		"./ca": {"net/http", module + "db"},
		"./db": {"net/http", "crypto/x509", module + "ca"},
	}
	for pkg, bad := range forbidden {
		for dep := range strings.FieldsSeq(listDeps(t, pkg)) {
			if slices.Contains(bad, dep) {
				t.Errorf("%s depends on %s", pkg, dep)
			}
		}
	}
}

// listDeps is `go list -deps` of the packages.
func listDeps(t *testing.T, pkgs ...string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list the emulator's imports: %v", err)
	}
	out, err := exec.Command(goTool, append([]string{"list", "-deps"}, pkgs...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	return string(out)
}
