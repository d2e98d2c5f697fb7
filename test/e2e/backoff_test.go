package e2e

import (
	"context"
	"strconv"
	"testing"
	"time"

	apiutil "github.com/cert-manager/cert-manager/pkg/api/util"
	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/test/harness"
)

// TestFailedCertificateWaitsForRenew: as under a deployed cert-manager
// (a failed request is retried after an hour), a Certificate whose request
// failed stays Issuing=False with that one failed request; once the user
// removes the cause and renews it as `cmctl renew` does, the failed
// request is replaced by one that is issued.
func TestFailedCertificateWaitsForRenew(t *testing.T) {
	ctx := t.Context()
	ns := newNamespace(t)
	waitIssuerReady(t, newIssuer(t, ns, "pca"), metav1.ConditionTrue, v1alpha1.ReasonChecked)
	crt := harness.Certificate(ns, "renew-after-failure", "pca")
	crt.Annotations = map[string]string{v1alpha1.AnnotationTemplateID: "999"} // not in allowedTemplateIds
	create(t, crt)
	if err := h.WaitFor(ctx, crt, harness.WaitTimeout, "Issuing=False after a failure", func() bool {
		return crt.Status.LastFailureTime != nil && apiutil.CertificateHasCondition(crt, cmapi.CertificateCondition{
			Type: cmapi.CertificateConditionIssuing, Status: cmmeta.ConditionFalse})
	}); err != nil {
		t.Fatalf("%v; requests: %s", err, describeRequests(ctx, ns))
	}
	if n := crt.Status.FailedIssuanceAttempts; n == nil || *n != 1 {
		t.Errorf("failedIssuanceAttempts = %s, want 1", formatAttempts(n))
	}
	failed := requestsOf(t, ns)
	if len(failed) != 1 || harness.RequestReady(&failed[0]) == nil || harness.RequestReady(&failed[0]).Reason != cmapi.CertificateRequestReasonFailed {
		t.Fatalf("want one Failed CertificateRequest, have %s", describeRequests(ctx, ns))
	}

	// The user fixes the Certificate, then renews it.
	before := crt.DeepCopy()
	crt.Annotations = nil
	if err := h.Client.Patch(ctx, crt, client.MergeFrom(before)); err != nil {
		t.Fatal(err)
	}
	// cert-manager replaces a failed request only when the Issuing
	// condition is newer than the request's failureTime, both kept in
	// whole seconds: a renewal waits for the clock to leave that second.
	// By then an immediate retry would have set Issuing=True again.
	waitPast(t, failed[0].Status.FailureTime.Time)
	if err := h.Client.Get(ctx, client.ObjectKeyFromObject(crt), crt); err != nil {
		t.Fatal(err)
	}
	if !apiutil.CertificateHasCondition(crt, cmapi.CertificateCondition{Type: cmapi.CertificateConditionIssuing, Status: cmmeta.ConditionFalse}) {
		t.Fatalf("the failed Certificate is being issued again without a renewal: %+v", crt.Status.Conditions)
	}
	renew(t, crt)
	waitCertificateReady(t, crt)
	requests := requestsOf(t, ns)
	if len(requests) != 1 || requests[0].UID == failed[0].UID {
		t.Errorf("want the failed CertificateRequest replaced by one new request, have %s", describeRequests(ctx, ns))
	}
}

// waitPast waits until the clock, in whole seconds, is past t.
func waitPast(t *testing.T, at time.Time) {
	t.Helper()
	if err := wait.PollUntilContextTimeout(t.Context(), 50*time.Millisecond, harness.WaitTimeout, true, func(context.Context) (bool, error) {
		return time.Now().Truncate(time.Second).After(at), nil
	}); err != nil {
		t.Fatal(err)
	}
}

// renew triggers a new issuance of crt (as last read) as `cmctl renew`
// does: the Certificate's Issuing condition set True with reason
// ManuallyTriggered.
func renew(t *testing.T, crt *cmapi.Certificate) {
	t.Helper()
	apiutil.SetCertificateCondition(crt, crt.Generation, cmapi.CertificateConditionIssuing, cmmeta.ConditionTrue,
		"ManuallyTriggered", "Certificate re-issuance manually triggered")
	if err := h.Client.Status().Update(t.Context(), crt); err != nil {
		t.Fatal(err)
	}
}

// formatAttempts prints an optional count.
func formatAttempts(n *int) string {
	if n == nil {
		return "unset"
	}
	return strconv.Itoa(*n)
}
