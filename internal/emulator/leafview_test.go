package emulator

import (
	"crypto/ecdsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// TestIssuanceAnswerMatchesTheLeaf holds the issuance answer, built without
// parsing the new leaf (signedLeaf), equal to a description of the leaf it
// returns, for templates that take the unparsed path and the parsed one.
func TestIssuanceAnswerMatchesTheLeaf(t *testing.T) {
	h := newHarness(t)
	// A clock off the whole second: the certificate keeps whole seconds.
	h.clock.Advance(1234567 * time.Microsecond)
	for _, alg := range []string{"EC", "RSA"} {
		b := h.bootstrap(alg)
		keyInfo := wire.KeyInfo{Algorithm: "EC", KeySize: 256}
		if alg == "RSA" {
			keyInfo = wire.KeyInfo{Algorithm: "RSA", KeySize: 2048}
		}
		tests := []struct {
			name string
			edit func(*wire.TemplateRequest)
			mode string
		}{
			{"plain", nil, wire.ModeSign},
			{"generate", nil, wire.ModeGenerate},
			{"many-usages", func(r *wire.TemplateRequest) {
				r.KeyUsage = []string{wire.KeyUsageDigitalSignature, wire.KeyUsageKeyEncipherment}
				r.ExtendedKeyUsage = []string{wire.ExtKeyUsageServerAuth, wire.ExtKeyUsageClientAuth}
				r.SubjectInfo = wire.SubjectInfo{Organization: "Example", Country: "KR", Locality: "Seongnam"}
				r.BasicConstraintsValidForNonCa = true
				r.SignatureBits = 384
				r.BackDateValidation = ptr(int64(90))
			}, wire.ModeSign},
			{"unkept", func(r *wire.TemplateRequest) { r.StoreInServer = ptr(false) }, wire.ModeSign},
			// Parsed: these fields change on the way through DER, or Go's
			// parser has rules of its own for them.
			{"policies", func(r *wire.TemplateRequest) { r.Policies = []string{"2.23.140.1.2.1", "1.2.3.4"} }, wire.ModeSign},
			{"eku-oids", func(r *wire.TemplateRequest) {
				r.ExtendedKeyUsage = nil
				r.ExtendedKeyUsageOids = []string{"1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.17"} // clientAuth, by number
			}, wire.ModeSign},
			{"other-fields", func(r *wire.TemplateRequest) {
				r.SubjectInfo = wire.SubjectInfo{Organization: "Example"}
				r.OtherFields = []wire.OidInfo{{OID: "2.5.4.10", Type: "UTF8String", Value: "Override"}}
			}, wire.ModeSign},
		}
		for _, tc := range tests {
			t.Run(alg+"/"+tc.name, func(t *testing.T) {
				templateID := h.createTemplate(b.CAStoreID, b.IntermediateCertID, func(r *wire.TemplateRequest) {
					r.KeyInfo = keyInfo
					if tc.edit != nil {
						tc.edit(r)
					}
				})
				req := wire.IssueRequest{Mode: tc.mode, CommonName: "svc.example.com", TTLValue: 3600}
				if tc.mode == wire.ModeSign {
					key, _ := newCSR(t, "", nil, nil, nil)
					if alg == "RSA" {
						key = rsaKey(t, 2048)
					}
					req.Csr = csrOfKey(t, key, "svc.example.com", []string{"svc.example.com"}, nil, nil)
				}
				got, leaf, _ := issued(t, h.issue(b.CAStoreID, templateID, req))

				want := describeCert(leaf)
				want.CertificateID, want.Name, want.Description, want.Type = got.CertificateID, got.Name, got.Description, got.Type
				want.Status, want.ChainCertificatePem, want.PrivateKey = wire.StatusActive, got.ChainCertificatePem, got.PrivateKey
				want.CRLURL, want.OCSPURL = leaf.CRLDistributionPoints[0], leaf.OCSPServer[0]
				if !reflect.DeepEqual(got, want) {
					t.Errorf("answer\n%+v\nleaf says\n%+v", got, want)
				}
				if n := h.emu.IssuanceCountFor(leaf.PublicKey); n != 1 {
					t.Errorf("issuance counted %d times for the leaf's key, want 1", n)
				}
				if _, used, err := h.emu.svc.db.GetSerial(b.IntermediateCertID, leaf.SerialNumber.Bytes()); err != nil || !used {
					t.Errorf("serial %x not recorded (%v)", leaf.SerialNumber, err)
				}
				if r := h.call(http.MethodGet, path("/%d/certs/%d", b.CAStoreID, got.CertificateID), h.admin, nil); got.CertificateID != 0 && r.status != http.StatusOK {
					t.Errorf("kept leaf: HTTP %d", r.status)
				}
			})
		}
	}
}

// TestSignedLeafEqualsParsedLeaf holds each field signedLeaf promises equal
// to x509.ParseCertificate's reading of the same DER.
func TestSignedLeafEqualsParsedLeaf(t *testing.T) {
	issuerKey, leafKey := p256Key(t), p256Key(t)
	now := time.Date(2026, 11, 30, 9, 8, 7, 654321000, time.FixedZone("KST", 9*3600))
	issuer, err := issueCertificate(certProfile{
		Serial: big.NewInt(1), Subject: pkix.Name{CommonName: "CA"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(48 * time.Hour),
		IsCA: true, MaxPathLen: -1, KeyUsage: x509.KeyUsageCertSign, SignatureAlgorithm: x509.ECDSAWithSHA256,
	}, issuerKey.Public(), nil, issuerKey)
	if err != nil {
		t.Fatal(err)
	}
	der, tmpl, err := signCertificate(certProfile{
		Serial: big.NewInt(77), Subject: pkix.Name{CommonName: "svc", Organization: []string{"Example"}, SerialNumber: "SN-1"},
		NotBefore: now, NotAfter: now.Add(time.Hour), BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		SANs:               sanSet{DNS: []string{"svc"}, IPs: []net.IP{net.ParseIP("10.0.0.1")}, Emails: []string{"ops@example.com"}},
		SignatureAlgorithm: x509.ECDSAWithSHA384, CRLURL: "https://pca.test/crl", OCSPURL: "https://pca.test/ocsp",
	}, leafKey.Public(), issuer, issuerKey)
	if err != nil {
		t.Fatal(err)
	}
	if !plainLeaf(tmpl) {
		t.Fatal("the profile is not one signedLeaf describes without parsing")
	}
	got, err := signedLeaf(tmpl, der, leafKey.Public())
	if err != nil {
		t.Fatal(err)
	}
	want, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	same := map[string]bool{
		"Raw":                   reflect.DeepEqual(got.Raw, want.Raw),
		"PublicKey":             want.PublicKey.(*ecdsa.PublicKey).Equal(got.PublicKey),
		"SerialNumber":          got.SerialNumber.Cmp(want.SerialNumber) == 0,
		"Subject":               reflect.DeepEqual(subjectInfoOf(got.Subject), subjectInfoOf(want.Subject)),
		"NotBefore":             got.NotBefore.Equal(want.NotBefore) && got.NotBefore.Location() == time.UTC,
		"NotAfter":              got.NotAfter.Equal(want.NotAfter) && got.NotAfter.Location() == time.UTC,
		"KeyUsage":              got.KeyUsage == want.KeyUsage,
		"ExtKeyUsage":           reflect.DeepEqual(got.ExtKeyUsage, want.ExtKeyUsage) && len(want.UnknownExtKeyUsage) == 0,
		"SignatureAlgorithm":    got.SignatureAlgorithm == want.SignatureAlgorithm,
		"IsCA":                  got.IsCA == want.IsCA && got.BasicConstraintsValid == want.BasicConstraintsValid,
		"CRLDistributionPoints": reflect.DeepEqual(got.CRLDistributionPoints, want.CRLDistributionPoints),
		"OCSPServer":            reflect.DeepEqual(got.OCSPServer, want.OCSPServer),
	}
	for field, ok := range same {
		if !ok {
			t.Errorf("%s differs from the parsed leaf", field)
		}
	}
}

// TestUnreadableLeavesAreRefused holds the emulator to refusing, with a 400
// and nothing kept or counted, leaves that Go's encoder writes but its
// parser refuses: signedLeaf parses such leaves instead of trusting them.
func TestUnreadableLeavesAreRefused(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("EC")
	tests := []struct {
		name string
		edit func(*wire.TemplateRequest)
		req  wire.IssueRequest
	}{
		{"URI SAN host not a domain", func(r *wire.TemplateRequest) { r.URLSansWhitelist = []string{"*"} },
			wire.IssueRequest{URLSans: []string{"https://a..example/x"}}},
		{"non-ASCII DNS SAN beside an otherName", func(r *wire.TemplateRequest) {
			r.OtherSansWhitelist = []wire.OidInfo{{OID: "1.3.6.1.4.1.311.20.2.3", Type: "UTF8String", Value: "*"}}
		}, wire.IssueRequest{Sans: []string{"bücher.example"}, OtherSans: []wire.OidInfo{{OID: "1.3.6.1.4.1.311.20.2.3", Type: "UTF8String", Value: "u@example.com"}}}},
		{"policy listed twice (a template stored before the rule)", nil, wire.IssueRequest{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			templateID := h.createTemplate(b.CAStoreID, b.IntermediateCertID, tc.edit)
			if tc.edit == nil {
				rec, _, _ := h.emu.svc.db.GetTemplate(templateID)
				rec.Request.Policies = []string{"1.2.3.4", "1.2.3.4"}
				if err := h.emu.svc.db.PutTemplate(rec); err != nil {
					t.Fatal(err)
				}
			}
			before, issuedBefore := h.certCount(t, b.CAStoreID), h.emu.IssuanceCount()
			req := tc.req
			req.Mode, req.CommonName, req.TTLValue = wire.ModeGenerate, "svc.example.com", 3600
			h.issue(b.CAStoreID, templateID, req).wantError(t, http.StatusBadRequest, "x509")
			if after := h.certCount(t, b.CAStoreID); after != before || h.emu.IssuanceCount() != issuedBefore {
				t.Errorf("a refused leaf was kept or counted: %d certificates before, %d after", before, after)
			}
		})
	}
	// New templates cannot list a policy twice in the first place.
	req := baseTemplate(b.IntermediateCertID)
	req.Policies = []string{"1.2.3.4", "2.23.140.1.2.1", "1.2.3.4"}
	h.call(http.MethodPost, path("/%d/templates", b.CAStoreID), h.admin, req).wantError(t, http.StatusBadRequest, "policies[2]")
}

// certCount is how many certificates the store lists; it fails t when the
// list cannot be read.
func (h *harness) certCount(t *testing.T, storeID int64) int {
	t.Helper()
	r := h.call(http.MethodGet, path("/%d/certs", storeID), h.admin, nil)
	var list wire.CertificateList
	if r.status != http.StatusOK {
		t.Fatalf("list certificates: HTTP %d %+v", r.status, r.header)
	}
	if err := jsonUnmarshal(r.body, &list); err != nil {
		t.Fatal(err)
	}
	return list.TotalCnt
}
