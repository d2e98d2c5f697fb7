package emulator

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// issue posts a template issuance as ADMIN and returns the answer.
func (h *harness) issue(storeID, templateID int64, req wire.IssueRequest) reply {
	h.t.Helper()
	return h.call(http.MethodPost, path("/%d/templates/%d/certificates", storeID, templateID), h.admin, req)
}

// issued decodes a successful issuance and parses its leaf and chain.
func issued(t *testing.T, r reply) (wire.Certificate, *x509.Certificate, []*x509.Certificate) {
	t.Helper()
	if r.status != http.StatusOK || !r.header.IsSuccessful {
		t.Fatalf("issue: HTTP %d %+v", r.status, r.header)
	}
	var d wire.Certificate
	if err := jsonUnmarshal(r.body, &d); err != nil {
		t.Fatal(err)
	}
	leaf := parsePEMCerts(t, d.CertificatePem)
	if len(leaf) != 1 {
		t.Fatalf("certificatePem holds %d certificates", len(leaf))
	}
	return d, leaf[0], parsePEMCerts(t, d.ChainCertificatePem)
}

func TestSignIssuanceVerifiesAndCarriesTheCSR(t *testing.T) {
	for _, alg := range []string{"EC", "RSA"} {
		t.Run(alg, func(t *testing.T) {
			h := newHarness(t)
			b := h.bootstrap(alg)
			key, _ := newCSR(t, "", nil, nil, nil)
			template := b.ECTemplateID
			if alg == "RSA" {
				key, template = rsaKey(t, 2048), b.RSATemplateID
			}
			csr := csrOfKey(t, key, "api.example.com", []string{"api.example.com", "www.example.com"}, []net.IP{net.ParseIP("10.0.0.1")}, nil)
			d, leaf, chain := issued(t, h.issue(b.CAStoreID, template, wire.IssueRequest{Mode: wire.ModeSign, Csr: csr, TTLValue: 3600}))

			if len(chain) != 2 || chain[0].Subject.CommonName != "PCA Emulator Intermediate CA" || chain[1].Subject.CommonName != "PCA Emulator Root CA" {
				t.Fatalf("chain is not intermediate then root: %v", chain)
			}
			roots, inters := x509.NewCertPool(), x509.NewCertPool()
			roots.AddCert(chain[1])
			inters.AddCert(chain[0])
			if _, err := leaf.Verify(x509.VerifyOptions{
				Roots: roots, Intermediates: inters, DNSName: "www.example.com", CurrentTime: h.clock.Now(),
				KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
			}); err != nil {
				t.Fatalf("leaf does not verify: %v", err)
			}
			if !key.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(leaf.PublicKey) {
				t.Error("leaf does not carry the CSR's public key")
			}
			if got := strings.Join(leaf.DNSNames, ","); got != "api.example.com,www.example.com" {
				t.Errorf("DNS SANs %s", got)
			}
			if len(leaf.IPAddresses) != 1 || !leaf.IPAddresses[0].Equal(net.ParseIP("10.0.0.1")) || len(leaf.URIs) != 0 {
				t.Errorf("IP SANs %v URIs %v", leaf.IPAddresses, leaf.URIs)
			}
			if !slices.Equal(leaf.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}) {
				t.Errorf("EKU %v", leaf.ExtKeyUsage)
			}
			if leaf.KeyUsage != x509.KeyUsageDigitalSignature|x509.KeyUsageKeyEncipherment || leaf.IsCA || leaf.BasicConstraintsValid {
				t.Errorf("key usage %v, CA %v, basic constraints %v", leaf.KeyUsage, leaf.IsCA, leaf.BasicConstraintsValid)
			}
			if !leaf.NotAfter.Equal(h.clock.Now().Add(time.Hour)) || !leaf.NotBefore.Equal(h.clock.Now().Add(-30*time.Second)) {
				t.Errorf("validity %v..%v", leaf.NotBefore, leaf.NotAfter)
			}
			if leaf.SerialNumber.Sign() <= 0 || len(leaf.SerialNumber.Bytes()) > 20 {
				t.Errorf("serial %v is not positive within 20 octets", leaf.SerialNumber)
			}
			if d.Type != wire.TypeLeaf || !d.IsLeaf || d.CommonName != "api.example.com" || d.SerialNumber != wire.FormatSerial(leaf.SerialNumber) || d.PrivateKey != "" {
				t.Errorf("detail type %s leaf %v cn %s serial %s privateKey %q", d.Type, d.IsLeaf, d.CommonName, d.SerialNumber, d.PrivateKey)
			}
			if h.emu.IssuanceCount() != 1 || h.emu.IssuanceCountFor(key.Public()) != 1 {
				t.Errorf("counts %d / %d, want 1 / 1", h.emu.IssuanceCount(), h.emu.IssuanceCountFor(key.Public()))
			}
			if got, _ := h.certOf(b.CAStoreID, d.CertificateID); got.SerialNumber != d.SerialNumber {
				t.Errorf("kept leaf's serial %s, want %s", got.SerialNumber, d.SerialNumber)
			}
		})
	}
}

func TestRemoveRootsFromChain(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("EC")
	_, csr := newCSR(t, "a.example.com", nil, nil, nil)
	_, _, chain := issued(t, h.issue(b.CAStoreID, b.ECTemplateID, wire.IssueRequest{Mode: wire.ModeSign, Csr: csr, TTLValue: 60, RemoveRootsFromChain: true}))
	if len(chain) != 1 || chain[0].Subject.CommonName != "PCA Emulator Intermediate CA" {
		t.Fatalf("chain %v, want the intermediate alone", chain)
	}
}

// The leaf rules of leafpolicy.go, one case each.
func TestSignIssuanceRules(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("EC")
	spiffe, _ := url.Parse("spiffe://cluster.local/ns/a/sa/b")
	type want struct {
		status int
		field  string   // for failures
		cn     string   // for successes
		dns    []string // for successes
	}
	tests := []struct {
		name string
		tmpl func(*wire.TemplateRequest)
		csr  func() string
		req  wire.IssueRequest
		want want
	}{
		{"csr-cn-added-to-dns-sans", func(r *wire.TemplateRequest) { r.UseCsrCommonName, r.UseCsrSans = true, true },
			csrFor(t, "a.example.com", []string{"b.example.com"}, nil, nil), wire.IssueRequest{TTLValue: 60},
			want{status: 200, cn: "a.example.com", dns: []string{"b.example.com", "a.example.com"}}},
		{"exclude-cn-from-sans", func(r *wire.TemplateRequest) { r.UseCsrCommonName, r.UseCsrSans = true, true },
			csrFor(t, "a.example.com", []string{"b.example.com"}, nil, nil), wire.IssueRequest{TTLValue: 60, ExcludeCommonNameFromSans: true},
			want{status: 200, cn: "a.example.com", dns: []string{"b.example.com"}}},
		{"cn-not-a-dns-name-not-added", func(r *wire.TemplateRequest) { r.UseCsrCommonName, r.UseCsrSans = true, true },
			csrFor(t, "My Service", []string{"b.example.com"}, nil, nil), wire.IssueRequest{TTLValue: 60},
			want{status: 200, cn: "My Service", dns: []string{"b.example.com"}}},
		{"request-cn-and-sans-without-csr-switches", nil,
			csrFor(t, "ignored.example.com", []string{"ignored.example.com"}, nil, nil), wire.IssueRequest{TTLValue: 60, CommonName: "req.example.com", Sans: []string{"x.example.com"}},
			want{status: 200, cn: "req.example.com", dns: []string{"x.example.com", "req.example.com"}}},
		{"request-cn-when-csr-has-none", func(r *wire.TemplateRequest) { r.UseCsrCommonName = true },
			csrFor(t, "", nil, nil, nil), wire.IssueRequest{TTLValue: 60, CommonName: "req.example.com"},
			want{status: 200, cn: "req.example.com", dns: []string{"req.example.com"}}},
		{"common-name-required", nil, csrFor(t, "a.example.com", nil, nil, nil), wire.IssueRequest{TTLValue: 60},
			want{status: 400, field: "commonName"}},
		{"common-name-at-most-64", nil, csrFor(t, "", nil, nil, nil), wire.IssueRequest{TTLValue: 60, CommonName: strings.Repeat("c", 65)},
			want{status: 400, field: "commonName"}},
		{"ttl-over-max-ttl", nil, csrFor(t, "", nil, nil, nil), wire.IssueRequest{TTLValue: 365*24*3600 + 1, CommonName: "a"},
			want{status: 400, field: "ttlValue"}},
		{"date-over-max-ttl", nil, csrFor(t, "", nil, nil, nil), wire.IssueRequest{SpecificDate: "2999-01-01T00:00:00", CommonName: "a"},
			want{status: 400, field: "specificDate"}},
		{"past-the-issuer-not-after", func(r *wire.TemplateRequest) { r.MaxTTL = ptr(int64(maxTTLSeconds)) }, csrFor(t, "", nil, nil, nil),
			wire.IssueRequest{TTLValue: maxTTLSeconds, CommonName: "a"}, want{status: 400, field: "issuer certificate's notAfter"}},
		{"ip-san-refused-unless-allowed", func(r *wire.TemplateRequest) { r.UseCsrSans = true },
			csrFor(t, "a", nil, []net.IP{net.ParseIP("10.0.0.1")}, nil), wire.IssueRequest{TTLValue: 60, CommonName: "a"},
			want{status: 400, field: "ipSans"}},
		{"request-ip-san-refused-unless-allowed", nil, csrFor(t, "", nil, nil, nil),
			wire.IssueRequest{TTLValue: 60, CommonName: "a", IPSans: []string{"10.0.0.1"}}, want{status: 400, field: "ipSans"}},
		{"url-san-refused-with-empty-whitelist", func(r *wire.TemplateRequest) { r.UseCsrSans = true },
			csrFor(t, "a", nil, nil, []*url.URL{spiffe}), wire.IssueRequest{TTLValue: 60, CommonName: "a"},
			want{status: 400, field: "urlSans"}},
		{"url-san-outside-whitelist", func(r *wire.TemplateRequest) { r.UseCsrSans, r.URLSansWhitelist = true, []string{"spiffe://other/*"} },
			csrFor(t, "a", nil, nil, []*url.URL{spiffe}), wire.IssueRequest{TTLValue: 60, CommonName: "a"},
			want{status: 400, field: "urlSans"}},
		{"url-san-in-whitelist", func(r *wire.TemplateRequest) {
			r.UseCsrSans, r.URLSansWhitelist = true, []string{"spiffe://cluster.local/*"}
		}, csrFor(t, "a", nil, nil, []*url.URL{spiffe}), wire.IssueRequest{TTLValue: 60, CommonName: "a"},
			want{status: 200, cn: "a", dns: []string{"a"}}},
		{"other-san-outside-whitelist", nil, csrFor(t, "", nil, nil, nil),
			wire.IssueRequest{TTLValue: 60, CommonName: "a", OtherSans: []wire.OidInfo{{OID: "1.3.6.1.4.1.311.20.2.3", Type: "UTF8String", Value: "u@example.com"}}},
			want{status: 400, field: "otherSans[0]"}},
		{"bad-csr-pem", nil, func() string { return "not a csr" }, wire.IssueRequest{TTLValue: 60, CommonName: "a"},
			want{status: 400, field: "csr"}},
		{"csr-signature-checked", nil, tamperedCSR(t), wire.IssueRequest{TTLValue: 60, CommonName: "a"},
			want{status: 400, field: "csr"}},
		{"mode-required", nil, csrFor(t, "", nil, nil, nil), wire.IssueRequest{Mode: "-", TTLValue: 60, CommonName: "a"},
			want{status: 400, field: "mode"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			templateID := h.createTemplate(b.CAStoreID, b.IntermediateCertID, tc.tmpl)
			req := tc.req
			req.Csr = tc.csr()
			switch req.Mode {
			case "": // the usual case
				req.Mode = wire.ModeSign
			case "-": // a case that wants no mode at all
				req.Mode = ""
			}
			r := h.issue(b.CAStoreID, templateID, req)
			if tc.want.status != http.StatusOK {
				r.wantError(t, tc.want.status, tc.want.field)
				return
			}
			_, leaf, _ := issued(t, r)
			if leaf.Subject.CommonName != tc.want.cn || strings.Join(leaf.DNSNames, ",") != strings.Join(tc.want.dns, ",") {
				t.Errorf("CN %q DNS %v, want %q %v", leaf.Subject.CommonName, leaf.DNSNames, tc.want.cn, tc.want.dns)
			}
		})
	}
}

// csrFor makes a CSR when the case runs.
func csrFor(t *testing.T, cn string, dns []string, ips []net.IP, uris []*url.URL) func() string {
	return func() string {
		_, csr := newCSR(t, cn, dns, ips, uris)
		return csr
	}
}

// tamperedCSR is a CSR whose signed content was changed after signing.
func tamperedCSR(t *testing.T) func() string {
	return func() string {
		_, text := newCSR(t, "aaaa.example.com", nil, nil, nil)
		block, _ := pem.Decode([]byte(text))
		der := []byte(strings.Replace(string(block.Bytes), "aaaa", "bbbb", 1))
		return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
	}
}

func TestTemplateSwitchesShapeTheLeaf(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("EC")
	templateID := h.createTemplate(b.CAStoreID, b.IntermediateCertID, func(r *wire.TemplateRequest) {
		r.BasicConstraintsValidForNonCa = true
		r.ExtendedKeyUsageOids = []string{"1.3.6.1.5.5.7.3.17"}
		r.Policies = []string{"2.23.140.1.2.1"}
		r.SubjectInfo = wire.SubjectInfo{Organization: "Example", Country: "KR"}
		r.BackDateValidation = ptr(int64(0))
		r.SignatureBits = 384
		r.OtherSansWhitelist = []wire.OidInfo{{OID: "1.3.6.1.4.1.311.20.2.3", Type: "UTF8String", Value: "*@example.com"}}
	})
	_, csr := newCSR(t, "", nil, nil, nil)
	_, leaf, _ := issued(t, h.issue(b.CAStoreID, templateID, wire.IssueRequest{
		Mode: wire.ModeSign, Csr: csr, CommonName: "svc", TTLValue: 60, SerialNumber: "SN-1",
		OtherSans: []wire.OidInfo{{OID: "1.3.6.1.4.1.311.20.2.3", Type: "UTF8String", Value: "u@example.com"}},
	}))
	if !leaf.BasicConstraintsValid || leaf.IsCA {
		t.Error("want basic constraints CA:false written")
	}
	if len(leaf.UnknownExtKeyUsage) != 1 || leaf.UnknownExtKeyUsage[0].String() != "1.3.6.1.5.5.7.3.17" {
		t.Errorf("EKU OIDs %v", leaf.UnknownExtKeyUsage)
	}
	if len(leaf.Policies) != 1 || leaf.Policies[0].String() != "2.23.140.1.2.1" {
		t.Errorf("policies %v", leaf.Policies)
	}
	if leaf.Subject.Organization[0] != "Example" || leaf.Subject.Country[0] != "KR" || leaf.Subject.SerialNumber != "SN-1" {
		t.Errorf("subject %v", leaf.Subject)
	}
	if !leaf.NotBefore.Equal(h.clock.Now()) || leaf.SignatureAlgorithm != x509.ECDSAWithSHA384 {
		t.Errorf("notBefore %v signature %v, want now and ECDSA-SHA384", leaf.NotBefore, leaf.SignatureAlgorithm)
	}
	if !slices.Equal(leaf.DNSNames, []string{"svc"}) || !hasExtension(leaf, "2.5.29.17") {
		t.Errorf("DNS SANs %v (the otherName SAN must not drop them)", leaf.DNSNames)
	}
}

func hasExtension(c *x509.Certificate, oid string) bool {
	return slices.ContainsFunc(c.Extensions, func(e pkixExtension) bool { return e.Id.String() == oid })
}

func TestUnkeptLeafIsNotListed(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("EC")
	templateID := h.createTemplate(b.CAStoreID, b.IntermediateCertID, func(r *wire.TemplateRequest) { r.StoreInServer = ptr(false) })
	_, csr := newCSR(t, "", nil, nil, nil)
	d, _, _ := issued(t, h.issue(b.CAStoreID, templateID, wire.IssueRequest{Mode: wire.ModeSign, Csr: csr, CommonName: "gone.example.com", TTLValue: 60}))
	if d.CertificateID != 0 {
		t.Errorf("certificateId %d, want 0 for an unkept leaf", d.CertificateID)
	}
	var list wire.CertificateList
	h.ok(http.MethodGet, path("/%d/certs?type=leaf", b.CAStoreID), nil, &list)
	if list.TotalCnt != 0 {
		t.Errorf("%d leaves listed, want 0", list.TotalCnt)
	}
	if h.emu.IssuanceCount() != 1 {
		t.Errorf("issuance count %d, want 1", h.emu.IssuanceCount())
	}
}

func TestGenerateReturnsAMatchingKey(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("EC")
	tests := []struct {
		name      string
		key       wire.KeyInfo
		format    string
		pemType   string
		wantPub   func(crypto.PublicKey) bool
		certInDER bool
	}{
		{"ec-traditional-pem", wire.KeyInfo{Algorithm: "EC", KeySize: 384}, "", "EC PRIVATE KEY", isType[*ecdsa.PublicKey], false},
		{"rsa-pkcs8", wire.KeyInfo{Algorithm: "RSA", KeySize: 2048}, wire.FormatPKCS8, "PRIVATE KEY", isType[*rsa.PublicKey], false},
		{"ed25519-der", wire.KeyInfo{Algorithm: "ED25519"}, wire.FormatDER, "", isType[ed25519.PublicKey], true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			templateID := h.createTemplate(b.CAStoreID, b.IntermediateCertID, func(r *wire.TemplateRequest) { r.KeyInfo = tc.key })
			req := wire.IssueRequest{Mode: wire.ModeGenerate, CommonName: "gen.example.com", TTLValue: 60, PrivateKeyFormat: tc.format}
			if tc.certInDER {
				req.Format = wire.FormatDER
			}
			r := h.issue(b.CAStoreID, templateID, req)
			if r.status != http.StatusOK {
				t.Fatalf("HTTP %d %+v", r.status, r.header)
			}
			var d wire.Certificate
			if err := jsonUnmarshal(r.body, &d); err != nil {
				t.Fatal(err)
			}
			leaf := leafOf(t, d, tc.certInDER)
			key := privateKeyOf(t, d.PrivateKey, tc.pemType)
			if !tc.wantPub(leaf.PublicKey) {
				t.Fatalf("leaf key %T", leaf.PublicKey)
			}
			if !key.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(leaf.PublicKey) {
				t.Fatal("privateKey does not match the certificate")
			}
		})
	}
}

// leafOf reads certificatePem in PEM or (format DER) base64 DER.
func leafOf(t *testing.T, d wire.Certificate, der bool) *x509.Certificate {
	t.Helper()
	if !der {
		return parsePEMCerts(t, d.CertificatePem)[0]
	}
	raw, err := base64.StdEncoding.DecodeString(d.CertificatePem)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(raw)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// privateKeyOf reads a privateKey field: PEM of pemType, or base64 PKCS #8
// when pemType is empty.
func privateKeyOf(t *testing.T, text, pemType string) crypto.Signer {
	t.Helper()
	var der []byte
	if pemType == "" {
		var err error
		if der, err = base64.StdEncoding.DecodeString(text); err != nil {
			t.Fatal(err)
		}
	} else {
		block, _ := pem.Decode([]byte(text))
		if block == nil || block.Type != pemType {
			t.Fatalf("privateKey is not a PEM %s: %q", pemType, text)
		}
		der = block.Bytes
	}
	var key any
	var err error
	switch pemType {
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(der)
	default:
		key, err = x509.ParsePKCS8PrivateKey(der)
	}
	if err != nil {
		t.Fatal(err)
	}
	return key.(crypto.Signer)
}

func isType[T any](k crypto.PublicKey) bool { _, ok := k.(T); return ok }

func TestConcurrentIssuance(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("EC")
	const n = 16
	key, csr := newCSR(t, "same.example.com", nil, nil, nil)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, other := newCSR(t, fmt.Sprintf("c%d.example.com", i), nil, nil, nil)
			for _, c := range []string{csr, other} {
				r := h.issue(b.CAStoreID, b.ECTemplateID, wire.IssueRequest{Mode: wire.ModeSign, Csr: c, TTLValue: 60})
				if r.status != http.StatusOK {
					errs <- fmt.Errorf("HTTP %d %+v", r.status, r.header)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var s wire.Store
	h.ok(http.MethodGet, path("/%d", b.CAStoreID), nil, &s)
	if h.emu.IssuanceCount() != 2*n || h.emu.IssuanceCountFor(key.Public()) != n || s.CertificateCnt != 2*n {
		t.Errorf("counts total %d, for the shared key %d, certificateCnt %d; want %d, %d, %d",
			h.emu.IssuanceCount(), h.emu.IssuanceCountFor(key.Public()), s.CertificateCnt, 2*n, n, 2*n)
	}
}
