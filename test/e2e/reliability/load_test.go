package reliability

import (
	"context"
	"fmt"
	"testing"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/internal/emulator"
	"github.com/nhnpca/pca-issuer/test/harness"
)

// TestHundredCertificatesThrough503s: with 30% of PCA calls failing 503,
// 100 Certificates all become Ready, none Failed, with exactly one
// issuance per CertificateRequest.
func TestHundredCertificatesThrough503s(t *testing.T) {
	noFaults(t)
	ns := setup(t)
	before := h.Emulator.IssuanceCount()
	h.Emulator.SetFaults(emulator.Faults{ErrorRate: 0.3, ErrorStatus: 503})
	const n = 100
	for i := range n {
		crt := harness.Certificate(ns, fmt.Sprintf("load-%d", i), "pca")
		// Keep every request cert-manager makes, so that each is counted
		// (its default keeps only the latest).
		crt.Spec.RevisionHistoryLimit = ptr.To(int32(n))
		create(t, crt)
	}
	err := wait.PollUntilContextTimeout(t.Context(), 250*time.Millisecond, 4*harness.WaitTimeout, true, func(ctx context.Context) (bool, error) {
		var list cmapi.CertificateList
		if err := h.Client.List(ctx, &list, client.InNamespace(ns)); err != nil {
			return false, nil
		}
		ready := 0
		for i := range list.Items {
			if harness.CertificateReady(&list.Items[i]) {
				ready++
			}
		}
		return ready == n, nil
	})
	if err != nil {
		t.Fatalf("not all %d Certificates became Ready: %v", n, err)
	}
	var requests cmapi.CertificateRequestList
	if err := h.Client.List(t.Context(), &requests, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	for _, cr := range requests.Items {
		if c := harness.RequestReady(&cr); c == nil || c.Reason != cmapi.CertificateRequestReasonIssued {
			t.Errorf("CertificateRequest %s: Ready = %+v, want Issued", cr.Name, c)
		}
	}
	// Exactly one issuance per CertificateRequest. Under this load
	// cert-manager now and then makes a second request for a Certificate it
	// has just issued (a new revision, the older one kept by
	// revisionHistoryLimit); that request is issued once too.
	if len(requests.Items) < n {
		t.Fatalf("%d CertificateRequests for %d Certificates", len(requests.Items), n)
	}
	if got := h.Emulator.IssuanceCount() - before; got != len(requests.Items) {
		t.Errorf("issuances = %d for %d CertificateRequests (%d Certificates), want exactly one per request", got, len(requests.Items), n)
	}
}

// TestShortTokenLifetime: with 2-second tokens, issuance keeps working and
// tokens are fetched again when they expire, not once per request.
func TestShortTokenLifetime(t *testing.T) {
	noFaults(t)
	h.Emulator.SetTokenLifetime(2 * time.Second)
	t.Cleanup(func() { h.Emulator.SetTokenLifetime(emulator.DefaultTokenLifetime) })
	ns := setup(t)
	tokensBefore := h.Emulator.APICallCount("Token")
	const batches, perBatch = 3, 10
	for b := range batches {
		var crts []*cmapi.Certificate
		for i := range perBatch {
			crt := harness.Certificate(ns, fmt.Sprintf("token-%d-%d", b, i), "pca")
			create(t, crt)
			crts = append(crts, crt)
		}
		for _, crt := range crts {
			waitReady(t, crt)
		}
		// Let the token expire between batches: time itself is what is tested.
		time.Sleep(2500 * time.Millisecond)
	}
	tokens := h.Emulator.APICallCount("Token") - tokensBefore
	if tokens < batches || tokens >= batches*perBatch {
		t.Errorf("token fetches = %d for %d requests in %d batches over expiring tokens; want at least one per batch and far fewer than one per request", tokens, batches*perBatch, batches)
	}
}
