// Package contract runs every method of the PCA client (internal/pca)
// against the PCA emulator (internal/emulator) over HTTPS, so that both
// sides are held to one description of the API, docs/pca-api.md.
package contract

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/nhnpca/pca-issuer/internal/emulator"
	"github.com/nhnpca/pca-issuer/internal/pca"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
	"github.com/nhnpca/pca-issuer/test/pcaadmin"
)

const appKey = "contract-appkey"

// newPair starts an emulator over TLS and returns clients for an ADMIN
// and a VIEWER key.
func newPair(t *testing.T) (admin, viewer *pcaadmin.Client, emu *emulator.Emulator) {
	t.Helper()
	emu, err := emulator.New(emulator.Options{AppKey: appKey, AccessKeys: []emulator.AccessKey{
		{ID: "admin", Secret: "admin-secret", Role: emulator.RoleAdmin},
		{ID: "viewer", Secret: "viewer-secret", Role: emulator.RoleViewer},
	}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(emu.Handler())
	srv.StartTLS()
	t.Cleanup(srv.Close)
	if err := emu.SetBaseURL(srv.URL); err != nil {
		t.Fatal(err)
	}
	mk := func(id, secret string) *pcaadmin.Client {
		c, err := pcaadmin.New(pca.Config{URL: srv.URL, TokenURL: srv.URL, AppKey: appKey, AccessKeyID: id, SecretAccessKey: secret,
			HTTPClient: &http.Client{Transport: srv.Client().Transport, Timeout: 10 * time.Second}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	return mk("admin", "admin-secret"), mk("viewer", "viewer-secret"), emu
}

// must returns v, or stops the test by panicking with err: a failed call
// ends the walk (the panic names the call in its stack).
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func ptr[T any](v T) *T { return &v }

// TestEveryClientMethodAgainstTheEmulator walks the whole API v2.0 once:
// stores, issuer certificates, templates, issuance in both modes,
// download, revocation, CRL and OCSP, and the leaf lookup.
func TestEveryClientMethodAgainstTheEmulator(t *testing.T) {
	ctx := context.Background()
	c, viewer, _ := newPair(t)

	// Stores.
	store := must(c.CreateStore(ctx, wire.StoreRequest{Name: "contract", Description: "contract tests", CRLActive: true, OCSPActive: true}))
	got := must(c.GetStore(ctx, store.ID))
	if got.Name != "contract" || got.CRLRefreshPeriod != 7 || got.OCSPRefreshPeriod != 1 || got.Status != wire.StatusActive {
		t.Errorf("GetStore = %+v, want defaults crlRefreshPeriod 7, ocspRefreshPeriod 1, ACTIVE", got)
	}
	if _, err := c.ModifyStore(ctx, store.ID, wire.StoreRequest{Name: "contract-renamed", CRLActive: true, OCSPActive: true, CRLRefreshPeriod: 3}); err != nil {
		t.Fatal(err)
	}
	list := must(c.ListStores(ctx, wire.ListOptions{Search: "renamed", Size: 5}))
	if list.TotalCnt != 1 || list.CAInfoList[0].CRLRefreshPeriod != 3 {
		t.Errorf("ListStores(search renamed) = %+v", list)
	}

	// Issuer certificates.
	root := must(c.IssueIssuerCertificate(ctx, store.ID, wire.IssuerCertRequest{
		CertificateType: wire.TypeRoot, Name: "root", SubjectInfo: wire.SubjectInfo{CommonName: "Contract Root", Organization: "Contract", Country: "KR"},
		TTLValue: 3650 * 24 * 3600, MaxDepth: ptr(1), KeyInfo: wire.KeyInfo{Algorithm: wire.KeyAlgorithmEC, KeySize: 256}, SignatureAlgorithm: wire.SHA256WithECDSA,
	}))
	inter := must(c.IssueIssuerCertificate(ctx, store.ID, wire.IssuerCertRequest{
		CertificateType: wire.TypeIntermediate, ParentCertID: root.CertificateID, Name: "intermediate", SubjectInfo: wire.SubjectInfo{CommonName: "Contract Intermediate"},
		TTLValue: 365 * 24 * 3600, KeyInfo: wire.KeyInfo{Algorithm: wire.KeyAlgorithmRSA, KeySize: 2048}, SignatureAlgorithm: wire.SHA256WithRSA,
	}))
	detail := must(c.GetCertificate(ctx, store.ID, root.CertificateID))
	if len(detail.ChildCertificateList) != 1 || detail.ChildCertificateList[0].CertificateID != inter.CertificateID {
		t.Errorf("root's childCertificateList = %+v, want the intermediate", detail.ChildCertificateList)
	}
	issuers := must(c.ListCertificates(ctx, store.ID, wire.ListTypeIssuer, wire.ListOptions{}))
	if issuers.TotalCnt != 2 {
		t.Errorf("ListCertificates(issuer) total = %d, want 2", issuers.TotalCnt)
	}

	// Templates.
	tmplReq := wire.TemplateRequest{
		Name: "leaf", ParentCertID: inter.CertificateID, MaxTTL: ptr(int64(90 * 24 * 3600)), UseCsrCommonName: true, UseCsrSans: true, AllowIPSans: true,
		KeyInfo: wire.KeyInfo{Algorithm: wire.KeyAlgorithmEC, KeySize: 256}, KeyUsage: []string{wire.KeyUsageDigitalSignature},
		ExtendedKeyUsage: []string{wire.ExtKeyUsageServerAuth},
	}
	created := must(c.CreateTemplate(ctx, store.ID, tmplReq))
	if !strings.Contains(created.Attributes, `"maxTTL"`) || created.SigningCertificateID != inter.CertificateID {
		t.Errorf("CreateTemplate = %+v, want attributes as a JSON string and the intermediate as signer", created)
	}
	tmplReq.Description = "modified"
	if err := c.ModifyTemplate(ctx, store.ID, created.TemplateID, tmplReq); err != nil {
		t.Fatal(err)
	}
	tmpl := must(c.GetTemplate(ctx, store.ID, created.TemplateID))
	if tmpl.Description != "modified" || tmpl.MaxTTL != "7776000" || !tmpl.IsLeaf {
		t.Errorf("GetTemplate = %+v, want the modified description and maxTTL \"7776000\"", tmpl)
	}
	if tl := must(c.ListTemplates(ctx, store.ID, wire.ListOptions{Search: "leaf"})); tl.TotalCnt != 1 {
		t.Errorf("ListTemplates total = %d, want 1", tl.TotalCnt)
	}

	// Issuance: SIGN and GENERATE.
	key, csrPEM := newCSR(t, "svc.contract.internal")
	signed := must(c.IssueWithTemplate(ctx, store.ID, created.TemplateID, wire.IssueRequest{
		Mode: wire.ModeSign, CommonName: "svc.contract.internal", Csr: string(csrPEM), TTLValue: 3600, Sans: []string{"svc.contract.internal"},
	}))
	leaf := parseCert(t, signed.CertificatePem)
	if !keysEqual(leaf.PublicKey, key.Public()) || leaf.OCSPServer == nil || leaf.CRLDistributionPoints == nil {
		t.Errorf("SIGN leaf: key match %v, OCSP %v, CRL DP %v", keysEqual(leaf.PublicKey, key.Public()), leaf.OCSPServer, leaf.CRLDistributionPoints)
	}
	generated := must(c.IssueWithTemplate(ctx, store.ID, created.TemplateID, wire.IssueRequest{Mode: wire.ModeGenerate, CommonName: "gen.contract.internal", TTLValue: 3600, PrivateKeyFormat: wire.FormatPKCS8}))
	if generated.PrivateKey == "" {
		t.Error("GENERATE returned no private key")
	}
	pemBytes := must(c.DownloadCertificate(ctx, store.ID, signed.CertificateID))
	if parseCert(t, string(pemBytes)).SerialNumber.Cmp(leaf.SerialNumber) != 0 {
		t.Error("DownloadCertificate returned another certificate")
	}
	found := must(c.FindLeaf(ctx, store.ID, "svc.contract.internal", time.Now().Add(-time.Minute), func(cert *wire.Certificate) bool {
		return keysEqual(parseCert(t, cert.CertificatePem).PublicKey, key.Public())
	}))
	if found == nil || found.CertificateID != signed.CertificateID {
		t.Errorf("FindLeaf = %+v, want certificate %d", found, signed.CertificateID)
	}

	// Revocation, CRL and OCSP.
	interCert := parseCert(t, inter.CertificatePem)
	ocspReq := must(ocsp.CreateRequest(leaf, interCert, nil))
	if status := ocspStatus(t, must(c.OCSP(ctx, store.ID, ocspReq)), interCert); status != ocsp.Good {
		t.Errorf("OCSP before revocation = %d, want good", status)
	}
	revoked := must(c.RevokeCertificate(ctx, store.ID, signed.CertificateID))
	if !revoked.Result || revoked.SerialNumber != signed.SerialNumber {
		t.Errorf("RevokeCertificate = %+v", revoked)
	}
	if err := c.RenewCRL(ctx, store.ID, inter.CertificateID); err != nil {
		t.Fatal(err)
	}
	info := must(c.GetCRLInfo(ctx, store.ID, inter.CertificateID))
	der := must(c.DownloadCRL(ctx, store.ID, inter.CertificateID, true))
	crl := must(x509.ParseRevocationList(der))
	if len(crl.RevokedCertificateEntries) != 1 || crl.RevokedCertificateEntries[0].SerialNumber.Cmp(leaf.SerialNumber) != 0 || !strings.Contains(info.CRLPem, "X509 CRL") {
		t.Errorf("CRL lists %d entries, want the revoked leaf", len(crl.RevokedCertificateEntries))
	}
	if pemCRL := must(c.DownloadCRL(ctx, store.ID, inter.CertificateID, false)); !strings.Contains(string(pemCRL), "BEGIN X509 CRL") {
		t.Error("DownloadCRL(pem) is not PEM")
	}
	// OCSP answers are cached for ocspRefreshPeriod, so a GET of the same
	// request may still say good (docs/pca-api.md#ocsp); a parseable signed
	// answer is what both sides agree on.
	if status := ocspStatus(t, must(c.OCSPGet(ctx, store.ID, ocspReq)), interCert); status != ocsp.Good && status != ocsp.Revoked {
		t.Errorf("OCSP GET status = %d", status)
	}

	// Roles and deletion.
	if _, err := viewer.GetStore(ctx, store.ID); err != nil {
		t.Errorf("VIEWER cannot read: %v", err)
	}
	if _, err := viewer.CreateStore(ctx, wire.StoreRequest{Name: "nope"}); !pca.IsForbidden(err) {
		t.Errorf("VIEWER write error = %v, want 403", err)
	}
	if err := c.DeleteTemplate(ctx, store.ID, created.TemplateID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetTemplate(ctx, store.ID, created.TemplateID); !pca.IsNotFound(err) {
		t.Errorf("GetTemplate after delete = %v, want 404", err)
	}
	deleted := must(c.DeleteStore(ctx, store.ID))
	if deleted.Status != wire.StatusDeleted {
		t.Errorf("DeleteStore status = %s, want DELETED", deleted.Status)
	}
}

// TestWrongCredentialsAreUnauthorized: a bad secret fails at the token
// endpoint with an error the controller reads as CredentialsRejected.
func TestWrongCredentialsAreUnauthorized(t *testing.T) {
	_, _, emu := newPair(t)
	srv := httptest.NewTLSServer(emu.Handler())
	defer srv.Close()
	c := must(pca.New(pca.Config{URL: srv.URL, TokenURL: srv.URL, AppKey: appKey, AccessKeyID: "admin", SecretAccessKey: "wrong",
		HTTPClient: srv.Client()}))
	if _, err := c.GetStore(context.Background(), 1); !pca.IsUnauthorized(err) {
		t.Errorf("error = %v, want unauthorized", err)
	}
}

func newCSR(t *testing.T, cn string) (*ecdsa.PrivateKey, []byte) {
	t.Helper()
	key := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	der := must(x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: cn}, DNSNames: []string{cn}}, key))
	return key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

func parseCert(t *testing.T, s string) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		t.Fatalf("no PEM certificate in %q", s)
	}
	return must(x509.ParseCertificate(block.Bytes))
}

func keysEqual(a, b crypto.PublicKey) bool {
	ka, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && ka.Equal(b)
}

func ocspStatus(t *testing.T, der []byte, issuer *x509.Certificate) int {
	t.Helper()
	resp := must(ocsp.ParseResponse(der, issuer))
	return resp.Status
}
