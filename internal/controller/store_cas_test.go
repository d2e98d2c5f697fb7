package controller

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cert-manager/cert-manager/pkg/util/pki"
	"k8s.io/apimachinery/pkg/types"

	"github.com/nhnpca/pca-issuer/internal/emulator"
	"github.com/nhnpca/pca-issuer/internal/pca"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

func TestReadSigningCAsFromTheEmulator(t *testing.T) {
	emu, err := emulator.New(emulator.Options{AppKey: "app", AccessKeys: []emulator.AccessKey{{ID: "id", Secret: "secret", Role: "ADMIN"}}})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := emu.Bootstrap(emulator.BootstrapOptions{KeyAlgorithm: "EC"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(emu.Handler())
	defer srv.Close()
	pc, err := pca.New(pca.Config{URL: srv.URL, TokenURL: srv.URL, AppKey: "app", AccessKeyID: "id", SecretAccessKey: "secret", HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := pc.GetTemplate(context.Background(), ids.CAStoreID, ids.ECTemplateID)
	if err != nil {
		t.Fatal(err)
	}
	if tmpl.SigningCertificateID != ids.IntermediateCertID {
		t.Fatalf("template %d signs with certificate %d, want the intermediate %d", tmpl.ID, tmpl.SigningCertificateID, ids.IntermediateCertID)
	}
	pins := newCAPins()
	key := types.NamespacedName{Namespace: "ns", Name: "pca"}
	cas, err := pins.chainFor(context.Background(), pc, key, ids.CAStoreID, tmpl)
	if err != nil {
		t.Fatalf("chainFor: %v", err)
	}
	roots := cas.roots
	root, err := pc.GetCertificate(context.Background(), ids.CAStoreID, ids.RootCertID)
	if err != nil {
		t.Fatal(err)
	}
	rootCert, err := pki.DecodeX509CertificateBytes([]byte(root.CertificatePem))
	if err != nil {
		t.Fatal(err)
	}
	if len(roots) != 1 || !roots[0].Equal(rootCert) {
		t.Fatalf("pinned roots %d, want exactly the store's root", len(roots))
	}
	calls := emu.APICallCount(emulator.OpGetCertificate)
	if cas.signing == nil || cas.signing.Subject.String() == rootCert.Subject.String() || cas.signing.CheckSignatureFrom(rootCert) != nil {
		t.Errorf("the signing certificate pinned is not the intermediate under the root")
	}
	if _, err := pins.chainFor(context.Background(), pc, key, ids.CAStoreID, tmpl); err != nil || emu.APICallCount(emulator.OpGetCertificate) != calls {
		t.Errorf("a pinned chain was read again (%v)", err)
	}
	pins.renew(key, "uid", 2)
	if _, err := pins.chainFor(context.Background(), pc, key, ids.CAStoreID, tmpl); err != nil || emu.APICallCount(emulator.OpGetCertificate) != calls+1 {
		t.Errorf("a chain pinned for an older generation was trusted (%v)", err)
	}
}

// onlyCertificate answers one certificate, whatever id is asked.
type onlyCertificate struct{ pem string }

func (o onlyCertificate) GetCertificate(context.Context, int64, int64) (*wire.Certificate, error) {
	return &wire.Certificate{CertificatePem: o.pem}, nil
}

func TestReadSigningCAsRefusesAChainWithoutRoot(t *testing.T) {
	rootKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rootTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "root"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	interTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "intermediate"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, interTmpl, rootTmpl, key.Public(), rootKey)
	if err != nil {
		t.Fatal(err)
	}
	only := onlyCertificate{pem: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))}
	if _, err := readSigningCAs(context.Background(), only, 1, 2); err == nil || !strings.Contains(err.Error(), "does not verify to a self-signed root") {
		t.Fatalf("readSigningCAs = %v, want a refusal naming the missing root", err)
	}
}
