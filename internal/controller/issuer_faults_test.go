package controller

import (
	"testing"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// TestReportedIssuerIsEnqueuedForItsKindsController: a fault reported for
// an issuer reaches the work queue of its kind's controller through the
// channel source, and only that one.
func TestReportedIssuerIsEnqueuedForItsKindsController(t *testing.T) {
	faults := newIssuerFaults()
	queues := map[string]workqueue.TypedRateLimitingInterface[reconcile.Request]{}
	for _, kind := range []string{kindIssuer, kindClusterIssuer} {
		q := workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[reconcile.Request]())
		t.Cleanup(q.ShutDown)
		if err := faults.source(kind).Start(t.Context(), q); err != nil {
			t.Fatal(err)
		}
		queues[kind] = q
	}
	faults.report(readyIssuer())
	faults.report(readyClusterIssuer())
	for kind, want := range map[string]types.NamespacedName{
		kindIssuer:        {Namespace: "team", Name: "pca"},
		kindClusterIssuer: {Name: "csr-issuer"},
	} {
		got, _ := queues[kind].Get() // blocks until the source delivers
		if got.NamespacedName != want {
			t.Errorf("%s queue got %v, want %v", kind, got.NamespacedName, want)
		}
		queues[kind].Done(got)
		if n := queues[kind].Len(); n != 0 {
			t.Errorf("%s queue holds %d more requests, want none", kind, n)
		}
	}
}

// TestReportNeverBlocks: with the buffer full, a report is dropped instead
// of holding up the request's reconcile.
func TestReportNeverBlocks(t *testing.T) {
	faults := newIssuerFaults()
	for range issuerFaultBuffer + 10 {
		faults.report(readyIssuer())
	}
	if n := len(faults.byKind[kindIssuer]); n != issuerFaultBuffer {
		t.Errorf("%d reports buffered, want %d", n, issuerFaultBuffer)
	}
}
