// Package approval tests pca-issuer's handling of cert-manager's approval
// conditions. It runs cert-manager without its approver, so that each test
// approves or denies requests itself.
package approval

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"testing"
	"time"

	apiutil "github.com/cert-manager/cert-manager/pkg/api/util"
	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/controller"
	"github.com/nhnpca/pca-issuer/test/harness"
)

var h *harness.Harness

func TestMain(m *testing.M) {
	harness.RunTests(m, harness.Options{NoApprover: true, Manager: &controller.Options{}}, func(started *harness.Harness) { h = started })
}

// TestApprovalConditions: an unapproved request waits untouched, a denied
// one ends Ready=False/Denied without reaching the PCA, and an approved one
// is issued.
func TestApprovalConditions(t *testing.T) {
	ctx := t.Context()
	ns := "approval"
	if err := h.CreateNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	if err := h.Client.Create(ctx, h.CredentialsSecret(ns, "creds")); err != nil {
		t.Fatal(err)
	}
	iss := &v1alpha1.PCAIssuer{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "pca"}, Spec: h.IssuerSpec("creds")}
	if err := h.Client.Create(ctx, iss); err != nil {
		t.Fatal(err)
	}
	if err := h.WaitFor(ctx, iss, harness.WaitTimeout, "Ready", func() bool { return iss.Status.IsReady(iss.Generation) }); err != nil {
		t.Fatal(err)
	}

	denied, deniedKey := newRequest(t, ns, "denied")
	approved, approvedKey := newRequest(t, ns, "approved")

	apiutil.SetCertificateRequestCondition(denied, cmapi.CertificateRequestConditionDenied, cmmeta.ConditionTrue, "PolicyDenied", "denied by the test")
	if err := h.Client.Status().Update(ctx, denied); err != nil {
		t.Fatal(err)
	}
	if err := h.WaitFor(ctx, denied, harness.WaitTimeout, "Ready=False/Denied", func() bool {
		return apiutil.CertificateRequestHasCondition(denied, cmapi.CertificateRequestCondition{
			Type: cmapi.CertificateRequestConditionReady, Status: cmmeta.ConditionFalse, Reason: cmapi.CertificateRequestReasonDenied})
	}); err != nil {
		t.Fatal(err)
	}

	// The still-unapproved request has no Ready condition and no certificate.
	if err := h.Client.Get(ctx, client.ObjectKeyFromObject(approved), approved); err != nil {
		t.Fatal(err)
	}
	if len(approved.Status.Certificate) != 0 || apiutil.GetCertificateRequestCondition(approved, cmapi.CertificateRequestConditionReady) != nil {
		t.Fatalf("an unapproved request was acted on: %+v", approved.Status)
	}

	apiutil.SetCertificateRequestCondition(approved, cmapi.CertificateRequestConditionApproved, cmmeta.ConditionTrue, "ApprovedByTest", "approved by the test")
	if err := h.Client.Status().Update(ctx, approved); err != nil {
		t.Fatal(err)
	}
	if err := h.WaitFor(ctx, approved, harness.WaitTimeout, "Ready=True/Issued", func() bool {
		return apiutil.CertificateRequestHasCondition(approved, cmapi.CertificateRequestCondition{
			Type: cmapi.CertificateRequestConditionReady, Status: cmmeta.ConditionTrue, Reason: cmapi.CertificateRequestReasonIssued})
	}); err != nil {
		t.Fatal(err)
	}
	if len(approved.Status.Certificate) == 0 || len(approved.Status.CA) == 0 {
		t.Fatal("issued request lacks status.certificate or status.ca")
	}
	if got := h.Emulator.IssuanceCountFor(approvedKey.Public()); got != 1 {
		t.Errorf("issuance calls for the approved request = %d, want 1", got)
	}
	if got := h.Emulator.IssuanceCountFor(deniedKey.Public()); got != 0 {
		t.Errorf("issuance calls for the denied request = %d, want 0", got)
	}
	// Denied stays Denied: it was never signed.
	if err := h.Client.Get(ctx, client.ObjectKeyFromObject(denied), denied); err != nil {
		t.Fatal(err)
	}
	if len(denied.Status.Certificate) != 0 {
		t.Error("the denied request got a certificate")
	}
}

// newRequest creates a CertificateRequest for the PCAIssuer "pca" with a
// fresh P-256 key, and returns it with that key.
func newRequest(t *testing.T, ns, name string) (*cmapi.CertificateRequest, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: name + ".example.internal"}, DNSNames: []string{name + ".example.internal"},
	}, key)
	if err != nil {
		t.Fatal(err)
	}
	cr := &cmapi.CertificateRequest{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: cmapi.CertificateRequestSpec{
			Request:   pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}),
			Duration:  &metav1.Duration{Duration: time.Hour},
			IssuerRef: cmmeta.IssuerReference{Group: v1alpha1.GroupVersion.Group, Kind: "PCAIssuer", Name: "pca"},
		},
	}
	if err := h.Client.Create(t.Context(), cr); err != nil {
		t.Fatal(err)
	}
	return cr, key
}
