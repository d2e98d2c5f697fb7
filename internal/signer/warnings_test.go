package signer

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"strings"
	"testing"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

func TestSubjectWarning(t *testing.T) {
	key := ecKey(t)
	csrWith := func(subject pkix.Name) []byte {
		der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: subject}, key)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
	}
	cnOnly := csrWith(pkix.Name{CommonName: "svc"})
	withOrg := csrWith(pkix.Name{CommonName: "svc", Organization: []string{"Acme"}})
	withUID := csrWith(pkix.Name{CommonName: "svc", ExtraNames: []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}, Value: "u1"}}})
	copying := &wire.Template{ID: 3, UseCsrOtherFields: true}
	cases := []struct {
		name     string
		csr      []byte
		tmpl     *wire.Template
		wantText string // empty: no warning
	}{
		{"common-name-only", cnOnly, &wire.Template{ID: 3}, ""},
		{"organization-without-use-csr-other-fields", withOrg, &wire.Template{ID: 3}, "useCsrOtherFields"},
		{"organization-with-use-csr-other-fields", withOrg, copying, ""},
		{"attribute-outside-subject-info", withUID, copying, "0.9.2342.19200300.100.1.1=u1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := SubjectWarning(tc.csr, tc.tmpl)
			switch {
			case tc.wantText == "" && w != nil:
				t.Errorf("warning %+v, want none", w)
			case tc.wantText != "" && (w == nil || w.Reason != v1alpha1.ReasonSubjectNotLiteral || !strings.Contains(w.Message, tc.wantText)):
				t.Errorf("warning %+v, want %s naming %q", w, v1alpha1.ReasonSubjectNotLiteral, tc.wantText)
			}
		})
	}
}

func TestUsageWarning(t *testing.T) {
	server := &wire.Template{ID: 4, KeyUsage: []string{wire.KeyUsageDigitalSignature, wire.KeyUsageKeyEncipherment}, ExtendedKeyUsage: []string{wire.ExtKeyUsageServerAuth}}
	if w := UsageWarning([]cmapi.KeyUsage{cmapi.UsageServerAuth}, server); w != nil {
		t.Errorf("usages within the template: warning %+v", w)
	}
	w := UsageWarning([]cmapi.KeyUsage{cmapi.UsageClientAuth}, server)
	if w == nil || w.Reason != v1alpha1.ReasonUsagesFixedByTemplate || !strings.Contains(w.Message, "client auth") || !strings.Contains(w.Message, "template 4") {
		t.Errorf("client auth outside the template: warning %+v", w)
	}
}
