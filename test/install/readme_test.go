package install

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// TestChartReadmeDocumentsEveryValue checks that the values table of the
// chart's README has a row for every value of values.yaml (a row for a
// map, such as resources, covers its keys).
func TestChartReadmeDocumentsEveryValue(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(chartDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([A-Za-z0-9.]+)` \\|").FindAllStringSubmatch(string(readme), -1) {
		documented[m[1]] = true
	}
	data, err := os.ReadFile(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var values map[string]any
	if err := yaml.Unmarshal(data, &values); err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, path := range leafPaths(values, "") {
		if !coveredBy(path, documented) {
			missing = append(missing, path)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("charts/pca-issuer/README.md has no row for %v", missing)
	}
}

// leafPaths returns the dotted paths of the non-map values of m.
func leafPaths(m map[string]any, prefix string) []string {
	var out []string
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok && len(sub) > 0 {
			out = append(out, leafPaths(sub, prefix+k+".")...)
			continue
		}
		out = append(out, prefix+k)
	}
	return out
}

// coveredBy reports whether path or one of its parents is documented.
func coveredBy(path string, documented map[string]bool) bool {
	for p := path; ; p = p[:strings.LastIndex(p, ".")] {
		if documented[p] {
			return true
		}
		if !strings.Contains(p, ".") {
			return false
		}
	}
}
