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

	"github.com/nhnpca/pca-issuer/internal/emulator"
	"github.com/nhnpca/pca-issuer/internal/pca"
)

func TestReadStoreCAsFromTheEmulator(t *testing.T) {
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
	cas, err := readStoreCAs(context.Background(), pc, ids.CAStoreID)
	if err != nil {
		t.Fatalf("readStoreCAs: %v", err)
	}
	if len(cas.roots) != 1 || len(cas.intermediates) != 1 {
		t.Fatalf("read %d roots and %d intermediates, want 1 and 1", len(cas.roots), len(cas.intermediates))
	}
	root, err := pc.GetCertificate(context.Background(), ids.CAStoreID, ids.RootCertID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(root.CertificatePem, "BEGIN CERTIFICATE") || cas.roots[0].CheckSignatureFrom(cas.roots[0]) != nil {
		t.Errorf("the root read is not the store's self-signed root")
	}
	if err := cas.intermediates[0].CheckSignatureFrom(cas.roots[0]); err != nil {
		t.Errorf("the intermediate is not signed by the root: %v", err)
	}
}

// listingReader lists n root items, each read as the same valid root, and
// counts detail reads.
type listingReader struct {
	n, details int
	rootPEM    string
}

func (r *listingReader) ListCertificates(context.Context, int64, string, pca.ListOptions) (*pca.CertificateList, error) {
	items := make([]pca.CertificateListItem, r.n)
	for i := range items {
		items[i] = pca.CertificateListItem{ID: int64(i + 1), Type: pca.TypeRoot, Status: pca.StatusActive}
	}
	return &pca.CertificateList{ListCerts: items}, nil
}

func (r *listingReader) GetCertificate(context.Context, int64, int64) (*pca.Certificate, error) {
	r.details++
	return &pca.Certificate{CertificatePem: r.rootPEM}, nil
}

func TestReadStoreCAsIsBounded(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "root"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	rootPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	if cas, err := readStoreCAs(context.Background(), &listingReader{n: 2, rootPEM: rootPEM}, 1); err != nil || len(cas.roots) != 2 {
		t.Fatalf("a store of 2 roots: %v, %d roots", err, len(cas.roots))
	}
	r := &listingReader{n: 300, rootPEM: rootPEM}
	if _, err := readStoreCAs(context.Background(), r, 1); err == nil {
		t.Fatal("readStoreCAs accepted a store listing 300 CA certificates")
	}
	if r.details != maxStoreCAs {
		t.Errorf("%d detail reads, want %d", r.details, maxStoreCAs)
	}
}
