package isolation

import (
	"context"
	"encoding/pem"
	"fmt"
	"slices"
	"testing"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/test/harness"
)

// batch is how many Certificates issuer B issues in each measure.
const batch = 50

// TestNoisyNeighbour: issuer A's endpoint stalls every issuance; issuer B
// meanwhile issues a batch about as fast as with A idle, A never holds
// more than its share of workers, and none of A's calls outlives the
// reconcile deadline.
func TestNoisyNeighbour(t *testing.T) {
	if _, err := h.CreateIssuer(t.Context(), "tenant-b", "pca"); err != nil {
		t.Fatal(err)
	}
	idle := issueBatch(t, "tenant-b", "idle")
	t.Logf("B with A idle: p95 %s", idle)
	for _, trickle := range []bool{false, true} {
		name := map[bool]string{false: "hang", true: "trickle"}[trickle]
		t.Run(name, func(t *testing.T) {
			front := &stallingPCA{next: h.Emulator.Handler(), trickle: trickle}
			srv := front.serve()
			defer func() { srv.CloseClientConnections(); srv.Close() }()
			ns := "tenant-a-" + name
			// Two stalling issuers in one namespace: more issuers must not
			// buy the tenant more workers.
			caBundle := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
			for _, issuer := range []string{"pca", "pca-2"} {
				stallingIssuer(t, ns, issuer, srv.URL, caBundle)
				for i := range 3 {
					create(t, harness.Certificate(ns, fmt.Sprintf("%s-%d", issuer, i), issuer))
				}
			}
			waitUntil(t, "A holds its slots", func() bool { _, peak, _ := front.stats(); return peak >= managerOptions.MaxConcurrentPerTenant })
			busy := issueBatch(t, "tenant-b", name)
			// The calls A started must end at the deadline: wait for a few.
			waitUntil(t, "A's stalled calls end", func() bool { return front.ended() >= managerOptions.MaxConcurrentPerTenant })
			calls, peak, longest := front.stats()
			t.Logf("B with A %s: p95 %s (idle %s); A: %d issuance calls, at most %d at once, longest %s", name, busy, idle, calls, peak, longest)
			if busy > 2*idle {
				t.Errorf("B's p95 is %s with A stalling, over twice its %s with A idle", busy, idle)
			}
			if peak > managerOptions.MaxConcurrentPerTenant {
				t.Errorf("tenant A held %d issuance calls at once, over its cap of %d", peak, managerOptions.MaxConcurrentPerTenant)
			}
			if longest > deadline+3*time.Second {
				t.Errorf("an issuance call of A was held %s, past the %s deadline", longest, deadline)
			}
			everyRequestSaysWhy(t, ns)
		})
	}
}

// stallingIssuer creates PCAIssuer ns/name at url (the stalling front of
// the emulator, trusted through caBundle) and waits for it to be Ready:
// the front answers the issuer's check truthfully.
func stallingIssuer(t *testing.T, ns, name, url string, caBundle []byte) {
	t.Helper()
	if err := h.CreateNamespace(t.Context(), ns); err != nil {
		t.Fatal(err)
	}
	create(t, h.CredentialsSecret(ns, name+"-credentials"))
	spec := h.IssuerSpec(name + "-credentials")
	spec.URL, spec.TokenURL, spec.CABundle = url, url, caBundle
	iss := &v1alpha1.PCAIssuer{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: spec}
	create(t, iss)
	if err := h.WaitFor(t.Context(), iss, harness.WaitTimeout, "Ready", func() bool { return iss.Status.IsReady(iss.Generation) }); err != nil {
		t.Fatal(err)
	}
}

// issueBatch creates batch Certificates of PCAIssuer ns/pca and returns
// the 95th percentile of their times from creation to Ready, as seen by
// reading them every 100 ms.
func issueBatch(t *testing.T, ns, tag string) time.Duration {
	t.Helper()
	created := map[string]time.Time{}
	for i := range batch {
		name := fmt.Sprintf("b-%s-%d", tag, i)
		created[name] = time.Now()
		create(t, harness.Certificate(ns, name, "pca"))
	}
	var took []time.Duration
	seen := map[string]bool{}
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, 3*time.Minute, true, func(ctx context.Context) (bool, error) {
		var list cmapi.CertificateList
		if err := h.Client.List(ctx, &list, client.InNamespace(ns)); err != nil {
			return false, nil
		}
		for i := range list.Items {
			crt := &list.Items[i]
			if at, ours := created[crt.Name]; ours && !seen[crt.Name] && harness.CertificateReady(crt) {
				seen[crt.Name] = true
				took = append(took, time.Since(at))
			}
		}
		return len(took) == batch, nil
	})
	if err != nil {
		t.Fatalf("%d of %d Certificates of %s Ready: %v", len(took), batch, ns, err)
	}
	slices.Sort(took)
	return took[(len(took)*95+99)/100-1]
}

// everyRequestSaysWhy waits until every CertificateRequest of ns has a
// Ready condition with a message (Pending or Failed), none left silent.
func everyRequestSaysWhy(t *testing.T, ns string) {
	t.Helper()
	var silent []string
	waitUntil(t, "every request of "+ns+" says why it waits", func() bool {
		var list cmapi.CertificateRequestList
		if err := h.Client.List(t.Context(), &list, client.InNamespace(ns)); err != nil || len(list.Items) == 0 {
			return false
		}
		silent = silent[:0]
		for i := range list.Items {
			c := harness.RequestReady(&list.Items[i])
			if c == nil || c.Message == "" || (c.Reason != cmapi.CertificateRequestReasonPending && c.Reason != cmapi.CertificateRequestReasonFailed) {
				silent = append(silent, list.Items[i].Name)
			}
		}
		return len(silent) == 0
	})
}

func create(t *testing.T, obj client.Object) { h.MustCreate(t, obj) }

// waitUntil polls cond every 100 ms for up to a minute.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, time.Minute, true, func(context.Context) (bool, error) { return cond(), nil })
	if err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}
