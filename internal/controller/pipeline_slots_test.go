package controller

import (
	"context"
	"testing"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// countingReader counts the reads past the cache.
type countingReader struct {
	client.Reader
	gets *int
}

func (r countingReader) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	*r.gets++
	return r.Reader.Get(ctx, key, obj, opts...)
}

// TestAWaitingRequestCostsNoReadWhileItsTenantIsFull: a request that
// already says it waits is requeued without a read past the cache while
// its tenant's slots are taken, and signed once one is free.
func TestAWaitingRequestCostsNoReadWhileItsTenantIsFull(t *testing.T) {
	cr := approvedCR(t)
	setPending(cr, "waiting", metav1.NewTime(now))
	f := newFixture(t, []client.Object{cr, readyIssuer()})
	gets := 0
	f.p.apiReader = countingReader{Reader: f.client, gets: &gets}
	f.p.slots = newIssuerSlots(1)
	release, _ := f.p.slots.acquire(tenantOf(types.NamespacedName{Namespace: "team", Name: "pca"}))
	key := ctrl.Request{NamespacedName: client.ObjectKeyFromObject(cr)}
	res, err := f.crr.Reconcile(t.Context(), key)
	if err != nil || res.RequeueAfter < slotRetry || res.RequeueAfter > 2*slotRetry || gets != 0 || len(f.pca.calls()) != 0 {
		t.Fatalf("with the tenant full: %+v, %v, %d reads past the cache, %d issuances; want a requeue in 1-2 s and nothing else", res, err, gets, len(f.pca.calls()))
	}
	release()
	if _, err := f.crr.Reconcile(t.Context(), key); err != nil {
		t.Fatal(err)
	}
	var got cmapi.CertificateRequest
	if err := f.client.Get(t.Context(), key.NamespacedName, &got); err != nil {
		t.Fatal(err)
	}
	if c := readyCondition(&got); c == nil || c.Reason != cmapi.CertificateRequestReasonIssued || gets != 1 || len(f.pca.calls()) != 1 {
		t.Fatalf("with a slot free: Ready %+v, %d reads, %d issuances; want Issued after one read and one issuance", c, gets, len(f.pca.calls()))
	}
}
