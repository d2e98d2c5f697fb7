package reliability

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/emulator"
	"github.com/nhnpca/pca-issuer/test/harness"
)

// TestDurationCappedToMaxTTL: a duration over the template's maxTTL (one
// year in the emulator's bootstrap template) is issued for maxTTL, with a
// Warning event saying so.
func TestDurationCappedToMaxTTL(t *testing.T) {
	noFaults(t)
	ns := setup(t)
	crt := harness.Certificate(ns, "capped", "pca")
	crt.Spec.Duration = &metav1.Duration{Duration: 2 * 365 * 24 * time.Hour}
	create(t, crt)
	waitReady(t, crt)
	cr, err := h.WaitRequest(t.Context(), ns, crt.Name, "issued", func(cr *cmapi.CertificateRequest) bool { return len(cr.Status.Certificate) > 0 })
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := parseLeaf(cr.Status.Certificate)
	if err != nil {
		t.Fatal(err)
	}
	if got := leaf.NotAfter.Sub(leaf.NotBefore); got > 365*24*time.Hour+time.Hour || got < 364*24*time.Hour {
		t.Errorf("validity %s, want the template's maxTTL of one year", got)
	}
	waitEvent(t, ns, cr.Name, v1alpha1.ReasonTemplateFit, "maxTTL")
}

// TestEventsOnTransitionsOnly: a request retried through PCA errors emits
// one event per change of its Ready reason, not one per retry.
func TestEventsOnTransitionsOnly(t *testing.T) {
	noFaults(t)
	ns := setup(t)
	h.Emulator.SetFaults(emulator.Faults{ErrorRate: 1, ErrorStatus: 503})
	crt := harness.Certificate(ns, "retried", "pca")
	create(t, crt)
	cr, err := h.WaitRequest(t.Context(), ns, crt.Name, "retrying", func(cr *cmapi.CertificateRequest) bool {
		c := harness.RequestReady(cr)
		return c != nil && c.Reason == cmapi.CertificateRequestReasonPending && strings.Contains(c.Message, "retrying")
	})
	if err != nil {
		t.Fatal(err)
	}
	// Let several retries happen (of the issuance, then of the issuer's
	// health check once it turns Unreachable), seen in the PCA's calls.
	calls := totalCalls()
	if err := wait.PollUntilContextTimeout(t.Context(), 50*time.Millisecond, harness.WaitTimeout, true, func(ctx context.Context) (bool, error) {
		return totalCalls() >= calls+5, nil
	}); err != nil {
		t.Fatal(err)
	}
	h.Emulator.SetFaults(emulator.Faults{})
	waitReady(t, crt)
	waitEvent(t, ns, cr.Name, cmapi.CertificateRequestReasonIssued, "")
	events := eventsFor(t, ns, cr.Name)
	if len(events) > 2 {
		t.Errorf("%d events for one request retried several times, want at most 2 (Pending, Issued): %v", len(events), events)
	}
}

func totalCalls() int {
	n := 0
	for _, c := range h.Emulator.APICallCounts() {
		n += c
	}
	return n
}

// eventsFor lists pca-issuer's events about one object, as "reason: note".
func eventsFor(t *testing.T, ns, name string) []string {
	t.Helper()
	var list eventsv1.EventList
	if err := h.Client.List(t.Context(), &list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range list.Items {
		if e.Regarding.Name == name && e.ReportingController == "pca-issuer" {
			out = append(out, e.Reason+": "+e.Note)
		}
	}
	return out
}

// waitEvent waits for an event with reason whose note contains text.
func waitEvent(t *testing.T, ns, name, reason, text string) {
	t.Helper()
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, harness.WaitTimeout, true, func(ctx context.Context) (bool, error) {
		for _, e := range eventsFor(t, ns, name) {
			if strings.HasPrefix(e, reason+": ") && strings.Contains(e, text) {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("no %s event containing %q for %s: %v; events: %v", reason, text, name, err, eventsFor(t, ns, name))
	}
}

// parseLeaf parses the first PEM certificate.
func parseLeaf(chain []byte) (*x509.Certificate, error) {
	block, _ := pem.Decode(chain)
	if block == nil {
		return nil, errors.New("no PEM certificate")
	}
	return x509.ParseCertificate(block.Bytes)
}
