package emulator

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsOnlyTheWireTypesOfTheClient holds the layering the compiler
// cannot: the emulator and its command speak the API through
// internal/pca/wire alone, so they can never call the product's client, and
// its token source and rate limiter stay out of the emulator's build.
func TestImportsOnlyTheWireTypesOfTheClient(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list the emulator's imports: %v", err)
	}
	out, err := exec.Command(goTool, "list", "-deps", "./...", "../../cmd/pca-emulator").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	// The client itself (not its wire sub-package), and the token and
	// rate-limit modules with all their packages.
	const client = "github.com/nhnpca/pca-issuer/internal/pca"
	forbiddenTrees := []string{"golang.org/x/oauth2", "golang.org/x/time/rate"}
	sawWire := false
	for pkg := range strings.FieldsSeq(string(out)) {
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
