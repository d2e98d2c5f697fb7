package reliability

import (
	"net/url"
	"strings"
	"testing"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/test/harness"
)

// TestPermanentFailures: each request that can never succeed ends Failed,
// with failureTime and a message saying what to change, after at most one
// issuance call to the PCA.
func TestPermanentFailures(t *testing.T) {
	noFaults(t)
	ns := setup(t)
	cases := []struct {
		name      string
		mutate    func(*cmapi.Certificate)
		request   []byte // a CertificateRequest with this spec.request instead of a Certificate
		wantCalls int
		wantText  string
	}{
		{name: "is-ca", mutate: func(c *cmapi.Certificate) { c.Spec.IsCA = true }, wantText: "isCA"},
		{name: "email-san", mutate: func(c *cmapi.Certificate) { c.Spec.EmailAddresses = []string{"ops@example.internal"} }, wantText: "email"},
		{name: "template-not-allowed", mutate: func(c *cmapi.Certificate) {
			c.Annotations = map[string]string{v1alpha1.AnnotationTemplateID: "999"}
		}, wantText: "allowedTemplateIds"},
		{name: "url-san-refused-by-template", mutate: func(c *cmapi.Certificate) {
			c.Spec.URIs = []string{(&url.URL{Scheme: "spiffe", Host: "cluster.local", Path: "/ns/x"}).String()}
		}, wantCalls: 1, wantText: "template refused"},
		{name: "csr-does-not-parse", request: []byte("-----BEGIN CERTIFICATE REQUEST-----\nbm90IGEgQ1NS\n-----END CERTIFICATE REQUEST-----\n"), wantText: "spec.request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			callsBefore := h.Emulator.APICallCount("IssueWithTemplate")
			cr := failedRequest(t, ns, tc.name, tc.mutate, tc.request)
			c := harness.RequestReady(cr)
			if !strings.Contains(c.Message, tc.wantText) {
				t.Errorf("message %q does not mention %q", c.Message, tc.wantText)
			}
			if cr.Status.FailureTime == nil {
				t.Error("failureTime not set")
			}
			if got := h.Emulator.APICallCount("IssueWithTemplate") - callsBefore; got != tc.wantCalls {
				t.Errorf("issuance calls = %d, want %d", got, tc.wantCalls)
			}
		})
	}
}

// failedRequest creates a Certificate (or a bare CertificateRequest when
// request is set) and waits for its request to fail.
func failedRequest(t *testing.T, ns, name string, mutate func(*cmapi.Certificate), request []byte) *cmapi.CertificateRequest {
	t.Helper()
	isFailed := func(cr *cmapi.CertificateRequest) bool {
		c := harness.RequestReady(cr)
		return c != nil && c.Reason == cmapi.CertificateRequestReasonFailed
	}
	if request == nil {
		crt := harness.Certificate(ns, name, "pca")
		mutate(crt)
		create(t, crt)
		cr, err := h.WaitRequest(t.Context(), ns, name, "Failed", isFailed)
		if err != nil {
			t.Fatal(err)
		}
		return cr
	}
	cr := &cmapi.CertificateRequest{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: cmapi.CertificateRequestSpec{
			Request:   request,
			Duration:  &metav1.Duration{Duration: time.Hour},
			IssuerRef: cmmeta.IssuerReference{Group: v1alpha1.GroupVersion.Group, Kind: "PCAIssuer", Name: "pca"},
		},
	}
	create(t, cr)
	if err := h.WaitFor(t.Context(), cr, harness.WaitTimeout, "Failed", func() bool { return isFailed(cr) }); err != nil {
		t.Fatal(err)
	}
	return cr
}
