package harness

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

// namespaceCounter makes the namespaces of one test binary distinct.
var namespaceCounter atomic.Int64

// NewNamespace creates a namespace of its own for one test, named
// "<prefix>-<time>-<n>" so that reruns against a kept control plane do not
// collide, and returns its name; it fails the test if the API server
// refuses.
func (h *Harness) NewNamespace(t testing.TB, prefix string) string {
	t.Helper()
	name := fmt.Sprintf("%s-%d-%d", prefix, time.Now().Unix()%100000, namespaceCounter.Add(1))
	if err := h.CreateNamespace(t.Context(), name); err != nil {
		t.Fatal(err)
	}
	return name
}

// MustCreate creates obj, failing the test if the API server refuses.
func (h *Harness) MustCreate(t testing.TB, obj client.Object) {
	t.Helper()
	if err := h.Client.Create(t.Context(), obj); err != nil {
		t.Fatalf("creating %T %s: %v", obj, obj.GetName(), err)
	}
}
