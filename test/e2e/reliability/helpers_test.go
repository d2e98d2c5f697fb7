package reliability

import (
	"crypto"
	"fmt"
	"sync/atomic"
	"testing"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	"github.com/cert-manager/cert-manager/pkg/util/pki"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/test/harness"
)

var seq atomic.Int64

// setup creates a fresh namespace with a Ready PCAIssuer "pca".
func setup(t *testing.T) string {
	t.Helper()
	ns := fmt.Sprintf("rel-%d", seq.Add(1))
	if _, err := h.CreateIssuer(t.Context(), ns, "pca"); err != nil {
		t.Fatal(err)
	}
	return ns
}

func create(t *testing.T, obj client.Object) { h.MustCreate(t, obj) }

// waitReady waits for a Certificate to be Ready.
func waitReady(t *testing.T, crt *cmapi.Certificate) {
	t.Helper()
	if err := h.WaitFor(t.Context(), crt, harness.WaitTimeout, "Ready", func() bool { return harness.CertificateReady(crt) }); err != nil {
		t.Fatal(err)
	}
}

// csrKey returns the public key of a CertificateRequest's CSR.
func csrKey(t *testing.T, cr *cmapi.CertificateRequest) crypto.PublicKey {
	t.Helper()
	csr, err := pki.DecodeX509CertificateRequestBytes(cr.Spec.Request)
	if err != nil {
		t.Fatal(err)
	}
	return csr.PublicKey
}

// requestOf waits for the Certificate's CertificateRequest to exist.
func requestOf(t *testing.T, ns, name string) *cmapi.CertificateRequest {
	t.Helper()
	cr, err := h.WaitRequest(t.Context(), ns, name, "created", func(*cmapi.CertificateRequest) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	return cr
}
