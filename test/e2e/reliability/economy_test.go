package reliability

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/emulator"
	"github.com/nhnpca/pca-issuer/test/harness"
)

// TestNoPCACallsForFinishedRequestsOnRestart: after a restart, finished
// requests are not sent to the PCA again, and cost no lookups either.
func TestNoPCACallsForFinishedRequestsOnRestart(t *testing.T) {
	noFaults(t)
	ns := setup(t)
	for i := range 5 {
		crt := harness.Certificate(ns, fmt.Sprintf("finished-%d", i), "pca")
		create(t, crt)
		waitReady(t, crt)
	}
	if err := h.StopManager(); err != nil {
		t.Fatal(err)
	}
	h.Emulator.ResetAPICallCounts()
	if err := h.StartManager(managerOptions); err != nil {
		t.Fatal(err)
	}
	// The restarted manager has checked its issuers (health checks read the
	// store and template) and so has reconciled everything it watches.
	if err := wait.PollUntilContextTimeout(t.Context(), 50*time.Millisecond, harness.WaitTimeout, true, func(ctx context.Context) (bool, error) {
		return h.Emulator.APICallCount(emulator.OpGetTemplate) >= 2, nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, op := range []string{emulator.OpIssueWithTemplate, emulator.OpListCertificates} {
		if got := h.Emulator.APICallCount(op); got != 0 {
			t.Errorf("%s calls after restart = %d, want 0", op, got)
		}
	}
}

// TestTemplateSelectedByAnnotation: an allowed template named by the
// nhnpca.issuer.dev/template-id annotation signs the request.
func TestTemplateSelectedByAnnotation(t *testing.T) {
	noFaults(t)
	ns := setup(t)
	other, err := h.CreateLeafTemplate(t.Context(), "alternate-"+ns, "EC", 256)
	if err != nil {
		t.Fatal(err)
	}
	iss := &v1alpha1.PCAIssuer{}
	if err := h.Client.Get(t.Context(), client.ObjectKey{Namespace: ns, Name: "pca"}, iss); err != nil {
		t.Fatal(err)
	}
	iss.Spec.AllowedTemplateIDs = []int64{other}
	if err := h.Client.Update(t.Context(), iss); err != nil {
		t.Fatal(err)
	}
	if err := h.WaitFor(t.Context(), iss, harness.WaitTimeout, "Ready", func() bool { return iss.Status.IsReady(iss.Generation) }); err != nil {
		t.Fatal(err)
	}
	crt := harness.Certificate(ns, "alternate", "pca")
	crt.Annotations = map[string]string{v1alpha1.AnnotationTemplateID: fmt.Sprint(other)}
	create(t, crt)
	waitReady(t, crt)
	cr, err := h.WaitRequest(t.Context(), ns, crt.Name, "issued", func(cr *cmapi.CertificateRequest) bool { return len(cr.Status.Certificate) > 0 })
	if err != nil {
		t.Fatal(err)
	}
	if c := harness.RequestReady(cr); !strings.Contains(c.Message, fmt.Sprintf("template %d ", other)) {
		t.Errorf("Ready message %q does not name template %d", c.Message, other)
	}
}
