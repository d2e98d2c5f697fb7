package controller

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/clock"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/emulator"
	"github.com/nhnpca/pca-issuer/internal/pca"
	"github.com/nhnpca/pca-issuer/internal/signer"
)

// keyCSR returns a PEM CSR for a fresh key made by gen.
func keyCSR(t *testing.T, gen func() (crypto.Signer, error)) []byte {
	t.Helper()
	key, err := gen()
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "k.example.com"}}, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

func ecGen(c elliptic.Curve) func() (crypto.Signer, error) {
	return func() (crypto.Signer, error) { return ecdsa.GenerateKey(c, rand.Reader) }
}

func rsaGen(bits int) func() (crypto.Signer, error) {
	return func() (crypto.Signer, error) { return rsa.GenerateKey(rand.Reader, bits) }
}

func edGen() (crypto.Signer, error) {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	return k, err
}

// TestSelectTemplateByKey runs chooseTemplate against the emulator's
// bootstrap templates (RSA 2048 as spec.templateId, EC P-256 and Ed25519
// allowed), counting the template reads.
func TestSelectTemplateByKey(t *testing.T) {
	emu, err := emulator.New(emulator.Options{AppKey: "k", AccessKeys: []emulator.AccessKey{{ID: "a", Secret: "s", Role: "ADMIN"}}})
	if err != nil {
		t.Fatal(err)
	}
	boot, err := emu.Bootstrap(emulator.BootstrapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(emu.Handler())
	defer srv.Close()
	pc, err := pca.New(pca.Config{URL: srv.URL, TokenURL: srv.URL, AppKey: "k", AccessKeyID: "a", SecretAccessKey: "s", HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	const missing = 999
	cases := []struct {
		name        string
		allowed     []int64
		annotations map[string]string
		gen         func() (crypto.Signer, error)
		want        int64  // 0: a failure
		wantReason  string // of the failure
	}{
		{"rsa-2048-spec-template", nil, nil, rsaGen(2048), boot.RSATemplateID, ""},
		{"rsa-3072-spec-template-as-floor", nil, nil, rsaGen(3072), boot.RSATemplateID, ""},
		{"ec-p256-allowed-template", []int64{boot.ECTemplateID, boot.Ed25519TemplateID}, nil, ecGen(elliptic.P256()), boot.ECTemplateID, ""},
		{"ed25519-allowed-template", []int64{boot.ECTemplateID, boot.Ed25519TemplateID}, nil, edGen, boot.Ed25519TemplateID, ""},
		{"ec-p384-fits-none", []int64{boot.ECTemplateID, boot.Ed25519TemplateID}, nil, ecGen(elliptic.P384()), 0, v1alpha1.ReasonNoTemplateForKey},
		{"ec-p256-not-allowed", nil, nil, ecGen(elliptic.P256()), 0, v1alpha1.ReasonNoTemplateForKey},
		{"annotation-wins", []int64{boot.ECTemplateID, boot.Ed25519TemplateID},
			map[string]string{v1alpha1.AnnotationTemplateID: strconv.FormatInt(boot.Ed25519TemplateID, 10)}, edGen, boot.Ed25519TemplateID, ""},
		{"annotated-template-must-take-the-key", []int64{boot.ECTemplateID},
			map[string]string{v1alpha1.AnnotationTemplateID: strconv.FormatInt(boot.ECTemplateID, 10)}, rsaGen(2048), 0, v1alpha1.ReasonNoTemplateForKey},
		{"stale-allowed-id-fails-with-its-name", []int64{missing, boot.ECTemplateID}, nil, ecGen(elliptic.P256()), 0, v1alpha1.ReasonTemplateNotAllowed},
		{"stale-allowed-id-after-a-fit-is-not-read", []int64{boot.ECTemplateID, missing}, nil, ecGen(elliptic.P256()), boot.ECTemplateID, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			iss := &v1alpha1.PCAIssuer{
				ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: tc.name, UID: "u-" + "x"},
				Spec:       v1alpha1.PCAIssuerSpec{CAStoreID: boot.CAStoreID, TemplateID: boot.TemplateID, AllowedTemplateIDs: tc.allowed},
			}
			p := &pipeline{templates: newTemplateCache(time.Minute), clock: clock.RealClock{}}
			csr := keyCSR(t, tc.gen)
			req := certificateRequest{cr: &cmapi.CertificateRequest{
				ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "r", Annotations: tc.annotations},
				Spec:       cmapi.CertificateRequestSpec{Request: csr, IssuerRef: cmmeta.IssuerReference{Group: v1alpha1.GroupVersion.Group, Kind: kindIssuer, Name: tc.name}},
			}}
			emu.ResetAPICallCounts()
			choice, err := p.chooseTemplate(t.Context(), pc, iss, req, csr)
			got := choice.template
			if tc.want != 0 {
				if err != nil || got.ID != tc.want || choice.id != tc.want {
					t.Fatalf("chooseTemplate = %+v, %v; want template %d", got, err, tc.want)
				}
				return
			}
			var perm *signer.PermanentError
			if !errors.As(err, &perm) || perm.Reason != tc.wantReason {
				t.Fatalf("chooseTemplate = %+v, %v; want a %s PermanentError", got, err, tc.wantReason)
			}
			if tc.wantReason == v1alpha1.ReasonNoTemplateForKey && !strings.Contains(perm.Message, "template "+strconv.FormatInt(boot.TemplateID, 10)) && tc.annotations == nil {
				t.Errorf("message %q does not name spec.templateId", perm.Message)
			}
			if n := emu.IssuanceCount(); n != 0 {
				t.Errorf("issuance calls = %d, want 0", n)
			}
		})
	}
}
