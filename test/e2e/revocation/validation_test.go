package revocation

import (
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

// TestSpecDurationsValidated: the API server refuses issuer durations the
// manager could not decode (metav1.Duration is a string in the schema: an
// unparseable one would fail the decoding of every issuer list, so no
// issuer of any tenant would be reconciled) or that lie outside their
// bounds, and ConfigMap keys and names Kubernetes would refuse later.
// Sane values are accepted. Everything is a server-side dry run.
func TestSpecDurationsValidated(t *testing.T) {
	ctx := t.Context()
	const ns = "validation"
	if err := h.CreateNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		path  []string
		value string
		ok    bool
	}{
		{"checkInterval not a duration", []string{"revocation", "checkInterval"}, "often", false},
		{"checkInterval negative", []string{"revocation", "checkInterval"}, "-5m", false},
		{"checkInterval zero", []string{"revocation", "checkInterval"}, "0s", false},
		{"checkInterval below a second", []string{"revocation", "checkInterval"}, "500ms", false},
		{"checkInterval beyond 720h", []string{"revocation", "checkInterval"}, "2562047h", false},
		{"checkInterval of the e2e tests", []string{"revocation", "checkInterval"}, "5s", true},
		{"checkInterval 720h", []string{"revocation", "checkInterval"}, "720h", true},
		{"gracePeriod not a duration", []string{"revocation", "gracePeriod"}, "1 hour", false},
		{"gracePeriod negative", []string{"revocation", "gracePeriod"}, "-1s", false},
		{"gracePeriod beyond 720h", []string{"revocation", "gracePeriod"}, "721h", false},
		{"gracePeriod zero", []string{"revocation", "gracePeriod"}, "0s", true},
		{"gracePeriod Go spelling", []string{"revocation", "gracePeriod"}, "1h30m0s", true},
		{"retainPreviousRootsFor not a duration", []string{"trustBundle", "retainPreviousRootsFor"}, "30d", false},
		{"retainPreviousRootsFor negative", []string{"trustBundle", "retainPreviousRootsFor"}, "-720h", false},
		{"retainPreviousRootsFor 720h", []string{"trustBundle", "retainPreviousRootsFor"}, "720h", true},
		{"configMap key ..", []string{"trustBundle", "configMap", "key"}, "..", false},
		{"configMap key .", []string{"trustBundle", "configMap", "key"}, ".", false},
		{"configMap key ..data", []string{"trustBundle", "configMap", "key"}, "..data", false},
		{"configMap key .crt", []string{"trustBundle", "configMap", "key"}, ".crt", true},
		{"configMap name upper case", []string{"trustBundle", "configMap", "name"}, "CA_Bundle", false},
		{"configMap name a subdomain", []string{"trustBundle", "configMap", "name"}, "ca.bundle-1", true},
	}
	for _, kind := range []string{"PCAIssuer", "PCAClusterIssuer"} {
		for _, tc := range cases {
			t.Run(kind+"/"+tc.name, func(t *testing.T) {
				spec, err := runtime.DefaultUnstructuredConverter.ToUnstructured(ptr(h.IssuerSpec("validation-credentials")))
				if err != nil {
					t.Fatal(err)
				}
				if tc.path[0] == "trustBundle" {
					spec["trustBundle"] = map[string]any{"configMap": map[string]any{"name": "ca-bundle"}}
				}
				if err := unstructured.SetNestedField(spec, tc.value, tc.path...); err != nil {
					t.Fatal(err)
				}
				u := &unstructured.Unstructured{Object: map[string]any{"spec": spec}}
				u.SetAPIVersion(v1alpha1.GroupVersion.String())
				u.SetKind(kind)
				u.SetGenerateName("validation-")
				if kind == "PCAIssuer" {
					u.SetNamespace(ns)
				}
				err = h.Client.Create(ctx, u, client.DryRunAll)
				switch {
				case tc.ok && err != nil:
					t.Errorf("%s=%q refused: %v", tc.path, tc.value, err)
				case !tc.ok && !apierrors.IsInvalid(err):
					t.Errorf("%s=%q: error %v, want Invalid", tc.path, tc.value, err)
				}
			})
		}
	}
}

func ptr[T any](v T) *T { return &v }
