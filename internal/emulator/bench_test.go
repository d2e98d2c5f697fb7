package emulator

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// The benchmarks below compare the emulator's SIGN issuance of an EC P-256
// CSR, through its whole HTTP handler (routing, auth, JSON, CSR checks,
// template rules, storage), with the bare x509.CreateCertificate it cannot
// avoid. Their ratio is the emulator's overhead. On a shared machine the two
// separate benchmarks drift apart between runs; SignIssuanceVsBareEC
// alternates them in blocks within one run and reports the ratio itself:
//
//	go test -run '^$' -bench 'SignIssuanceEC|BareCreateCertificateEC|SignIssuanceVsBareEC' -benchmem ./internal/emulator

// BenchmarkSignIssuanceEC posts a SIGN issuance of a P-256 CSR through
// Handler().ServeHTTP, one request per iteration, and checks each answer.
func BenchmarkSignIssuanceEC(b *testing.B) {
	issue := benchIssuer(b)
	for b.Loop() {
		issue()
	}
}

// BenchmarkBareCreateCertificateEC signs a P-256 leaf with a P-256 issuer
// key through x509.CreateCertificate alone: the floor of any issuance.
func BenchmarkBareCreateCertificateEC(b *testing.B) {
	sign := bareSigner(b)
	for b.Loop() {
		sign()
	}
}

// BenchmarkSignIssuanceVsBareEC runs as many emulator issuances as bare
// signings, in alternating blocks of vsBareBlock, timing each block, and
// reports their means in µs and the emulator's rate as a percentage of the
// bare rate (bare time over issuance time). Blocks a few milliseconds long
// let both see the same machine, which the two benchmarks above run at
// different times do not; alternating single calls instead would leave
// the issuances' garbage to be collected during the signings.
func BenchmarkSignIssuanceVsBareEC(b *testing.B) {
	const vsBareBlock = 32
	issue, sign := benchIssuer(b), bareSigner(b)
	var issuing, signing time.Duration
	pending := 0
	signPending := func() {
		start := time.Now()
		for range pending {
			sign()
		}
		signing += time.Since(start)
		pending = 0
	}
	for b.Loop() {
		start := time.Now()
		issue()
		issuing += time.Since(start)
		if pending++; pending == vsBareBlock {
			signPending()
		}
	}
	signPending()
	n := float64(b.N)
	b.ReportMetric(float64(issuing.Microseconds())/n, "issue-µs/op")
	b.ReportMetric(float64(signing.Microseconds())/n, "bare-µs/op")
	b.ReportMetric(100*float64(signing)/float64(issuing), "%-of-bare-rate")
}

// benchIssuer returns a function that posts one SIGN issuance of a P-256
// CSR to an in-memory emulator's handler and fails b unless it succeeds.
func benchIssuer(b *testing.B) func() {
	emu, token, ids := benchEmulator(b)
	body := benchIssueBody(b)
	target := "/v2.0/appkeys/" + testAppKey + "/ca-stores/" + itoa(ids.CAStoreID) + "/templates/" + itoa(ids.ECTemplateID) + "/certificates"
	handler := emu.Handler()
	return func() {
		// http.NewRequestWithContext, not httptest.NewRequest: the latter
		// writes out and parses an HTTP/1.0 request line per call, work of
		// the benchmark and not of the emulator.
		req, err := http.NewRequestWithContext(b.Context(), http.MethodPost, target, bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-NHN-AUTHORIZATION", "Bearer "+token)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("issue: HTTP %d: %s", rec.Code, rec.Body.String())
		}
	}
}

// bareSigner returns a function that signs a P-256 leaf (one DNS SAN,
// digital signature and key encipherment, server and client auth, as the
// emulator's bootstrap template makes) with a P-256 issuer through
// x509.CreateCertificate alone, and fails b if that fails.
func bareSigner(b *testing.B) func() {
	issuerKey := p256Key(b)
	leafKey := p256Key(b)
	now := time.Now()
	issuerTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Bench Intermediate"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	issuerDER, err := x509.CreateCertificate(rand.Reader, issuerTmpl, issuerTmpl, issuerKey.Public(), issuerKey)
	if err != nil {
		b.Fatal(err)
	}
	issuer, err := x509.ParseCertificate(issuerDER)
	if err != nil {
		b.Fatal(err)
	}
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "app.example.com"},
		DNSNames:  []string{"app.example.com"},
		NotBefore: now, NotAfter: now.Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	return func() {
		if _, err := x509.CreateCertificate(rand.Reader, leaf, issuer, leafKey.Public(), issuerKey); err != nil {
			b.Fatal(err)
		}
	}
}

// benchEmulator returns an in-memory emulator bootstrapped with an EC CA
// and an ADMIN token taken from its token endpoint.
func benchEmulator(b *testing.B) (*Emulator, string, *BootstrapResult) {
	b.Helper()
	emu, err := New(Options{AppKey: testAppKey, AccessKeys: []AccessKey{{adminID, adminKey, RoleAdmin}}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = emu.Close() })
	ids, err := emu.Bootstrap(BootstrapOptions{KeyAlgorithm: wire.KeyAlgorithmEC})
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/oauth2/token/create", strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(adminID, adminKey)
	rec := httptest.NewRecorder()
	emu.Handler().ServeHTTP(rec, req)
	var tok wire.Token
	if err := json.Unmarshal(rec.Body.Bytes(), &tok); err != nil || tok.AccessToken == "" {
		b.Fatalf("token: HTTP %d %s (%v)", rec.Code, rec.Body.String(), err)
	}
	return emu, tok.AccessToken, ids
}

// benchIssueBody is the JSON of a SIGN issuance of a fresh P-256 CSR for
// one DNS name, valid a day, as pca-issuer sends it.
func benchIssueBody(b *testing.B) []byte {
	b.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: "app.example.com"}, DNSNames: []string{"app.example.com"},
	}, p256Key(b))
	if err != nil {
		b.Fatal(err)
	}
	csr := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
	body, err := json.Marshal(wire.IssueRequest{Mode: wire.ModeSign, Csr: csr, TTLValue: 24 * 3600, RemoveRootsFromChain: true})
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// p256Key makes a P-256 key or fails the test.
func p256Key(tb testing.TB) *ecdsa.PrivateKey {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return key
}
