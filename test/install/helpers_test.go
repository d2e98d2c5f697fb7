package install

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// allValues is the values file that sets every option of the chart.
func allValues() string { return filepath.Join(chartDir, "ci", "all-values.yaml") }

// runTool runs a binary from the repository root and returns its stdout;
// a failure stops the test with stderr.
func runTool(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	out, err := tryTool(bin, args...)
	if err != nil {
		t.Fatalf("%s %v: %v", filepath.Base(bin), args, err)
	}
	return out
}

// tryTool runs a binary from the repository root; the error carries its
// stderr.
func tryTool(bin string, args ...string) ([]byte, error) {
	cmd := exec.Command(bin, args...)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, errors.New(err.Error() + "\n" + stderr.String())
	}
	return out, nil
}

// helm runs the helm binary against the test API server.
func helm(t *testing.T, args ...string) []byte {
	t.Helper()
	return runTool(t, helmBin, append(args, "--kubeconfig", kubeconfig)...)
}

// render runs helm template for the release name and namespace with extra
// arguments (-f, --set) and returns the objects.
func render(t *testing.T, release, namespace string, args ...string) []*unstructured.Unstructured {
	t.Helper()
	out := runTool(t, helmBin, append([]string{"template", release, chartDir, "--namespace", namespace}, args...)...)
	return decode(t, out)
}

// decode splits a multi-document YAML stream into objects, skipping empty
// documents.
func decode(t *testing.T, data []byte) []*unstructured.Unstructured {
	t.Helper()
	reader := utilyaml.NewYAMLReader(bufioReader(data))
	var objs []*unstructured.Unstructured
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return objs
		}
		if err != nil {
			t.Fatal(err)
		}
		obj := &unstructured.Unstructured{}
		if err := yaml.Unmarshal(doc, &obj.Object); err != nil {
			t.Fatalf("decoding %q: %v", doc, err)
		}
		if len(obj.Object) > 0 {
			objs = append(objs, obj)
		}
	}
}

// readObjects decodes a YAML file of the repository.
func readObjects(t *testing.T, rel string) []*unstructured.Unstructured {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, data)
}

// find returns the only object of that kind and name, failing the test
// when there is none.
func find(t *testing.T, objs []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() == kind && o.GetName() == name {
			return o
		}
	}
	t.Fatalf("no %s %q among the %d objects", kind, name, len(objs))
	return nil
}

// ofKind returns the objects of a kind.
func ofKind(objs []*unstructured.Unstructured, kind string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == kind {
			out = append(out, o)
		}
	}
	return out
}

// field returns the value at a path of an object, failing when absent.
func field(t *testing.T, obj *unstructured.Unstructured, path ...string) any {
	t.Helper()
	v, ok, err := unstructured.NestedFieldNoCopy(obj.Object, path...)
	if err != nil || !ok {
		t.Fatalf("%s %s has no %v (%v)", obj.GetKind(), obj.GetName(), path, err)
	}
	return v
}

// bufioReader wraps data for the YAML document reader.
func bufioReader(data []byte) *bufio.Reader { return bufio.NewReader(bytes.NewReader(data)) }
