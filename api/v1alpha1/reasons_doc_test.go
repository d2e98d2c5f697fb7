package v1alpha1

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
)

// troubleshooting is the document that must list every reason.
const troubleshooting = "../../docs/troubleshooting.md"

// TestTroubleshootingDocumentsEveryReason holds docs/troubleshooting.md to
// the reason constants of this package (conditions.go, reasons.go): every
// constant is in a Reason table, and every reason in a Reason table is a
// constant or one of cert-manager's CertificateRequest reasons.
func TestTroubleshootingDocumentsEveryReason(t *testing.T) {
	constants := reasonConstants(t, "conditions.go", "reasons.go")
	documented := documentedReasons(t, troubleshooting)
	if len(constants) == 0 || len(documented) == 0 {
		t.Fatalf("found %d constants and %d documented reasons: the parsers are broken", len(constants), len(documented))
	}
	for name, value := range constants {
		if !slices.Contains(documented, value) {
			t.Errorf("%s (%q) is not documented in a Reason table of %s", name, value, troubleshooting)
		}
	}
	certManagers := []string{cmapi.CertificateRequestReasonPending, cmapi.CertificateRequestReasonFailed,
		cmapi.CertificateRequestReasonDenied, cmapi.CertificateRequestReasonIssued}
	values := make([]string, 0, len(constants))
	for _, v := range constants {
		values = append(values, v)
	}
	for _, reason := range documented {
		if !slices.Contains(values, reason) && !slices.Contains(certManagers, reason) {
			t.Errorf("%s documents reason %q, which is no constant of api/v1alpha1", troubleshooting, reason)
		}
	}
}

// reasonConstants returns the string constants named Reason* of files.
func reasonConstants(t *testing.T, files ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			spec, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for i, id := range spec.Names {
				if !strings.HasPrefix(id.Name, "Reason") || i >= len(spec.Values) {
					continue
				}
				if lit, ok := spec.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					v, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					out[id.Name] = v
				}
			}
			return true
		})
	}
	return out
}

// documentedReasons returns the reasons in the first column of the
// markdown tables whose first header cell is "Reason"; a cell may list
// several, each in backquotes.
func documentedReasons(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	backquoted := regexp.MustCompile("^`([A-Za-z]+)`")
	var out []string
	inReasonTable := false
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "|") {
			inReasonTable = false
			continue
		}
		first := strings.TrimSpace(strings.Split(line, "|")[1])
		switch {
		case first == "Reason":
			inReasonTable = true
		case inReasonTable && !strings.HasPrefix(first, "---"):
			for _, part := range strings.Split(first, ",") {
				if m := backquoted.FindStringSubmatch(strings.TrimSpace(part)); m != nil {
					out = append(out, m[1])
				}
			}
		}
	}
	return out
}
