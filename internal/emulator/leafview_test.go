package emulator

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/nhnpca/pca-issuer/internal/pca"
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
		keyInfo := pca.KeyInfo{Algorithm: "EC", KeySize: 256}
		if alg == "RSA" {
			keyInfo = pca.KeyInfo{Algorithm: "RSA", KeySize: 2048}
		}
		tests := []struct {
			name string
			edit func(*pca.TemplateRequest)
			mode string
		}{
			{"plain", nil, pca.ModeSign},
			{"generate", nil, pca.ModeGenerate},
			{"many-usages", func(r *pca.TemplateRequest) {
				r.KeyUsage = []string{pca.KeyUsageDigitalSignature, pca.KeyUsageKeyEncipherment}
				r.ExtendedKeyUsage = []string{pca.ExtKeyUsageServerAuth, pca.ExtKeyUsageClientAuth}
				r.Policies = []string{"2.23.140.1.2.1", "1.2.3.4"}
				r.SubjectInfo = pca.SubjectInfo{Organization: "Example", Country: "KR", Locality: "Seongnam"}
				r.BasicConstraintsValidForNonCa = true
				r.SignatureBits = 384
				r.BackDateValidation = ptr(int64(90))
			}, pca.ModeSign},
			{"unkept", func(r *pca.TemplateRequest) { r.StoreInServer = ptr(false) }, pca.ModeSign},
			// Parsed: these fields change on the way through DER.
			{"eku-oids", func(r *pca.TemplateRequest) {
				r.ExtendedKeyUsage = nil
				r.ExtendedKeyUsageOids = []string{"1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.17"} // clientAuth, by number
			}, pca.ModeSign},
			{"other-fields", func(r *pca.TemplateRequest) {
				r.SubjectInfo = pca.SubjectInfo{Organization: "Example"}
				r.OtherFields = []pca.OidInfo{{OID: "2.5.4.10", Type: "UTF8String", Value: "Override"}}
			}, pca.ModeSign},
		}
		for _, tc := range tests {
			t.Run(alg+"/"+tc.name, func(t *testing.T) {
				templateID := h.createTemplate(b.CAStoreID, b.IntermediateCertID, func(r *pca.TemplateRequest) {
					r.KeyInfo = keyInfo
					if tc.edit != nil {
						tc.edit(r)
					}
				})
				req := pca.IssueRequest{Mode: tc.mode, CommonName: "svc.example.com", TTLValue: 3600}
				if tc.mode == pca.ModeSign {
					key, _ := newCSR(t, "", nil, nil, nil)
					if alg == "RSA" {
						key = rsaKey(t, 2048)
					}
					req.Csr = csrOfKey(t, key, "svc.example.com", []string{"svc.example.com"}, nil, nil)
				}
				got, leaf, _ := issued(t, h.issue(b.CAStoreID, templateID, req))

				want := describeCert(leaf)
				want.CertificateID, want.Name, want.Description, want.Type = got.CertificateID, got.Name, got.Description, got.Type
				want.Status, want.ChainCertificatePem, want.PrivateKey = pca.StatusActive, got.ChainCertificatePem, got.PrivateKey
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
		Policies: []x509.OID{mustOID(t, "2.23.140.1.2.1")}, SANs: sanSet{DNS: []string{"svc"}},
		SignatureAlgorithm: x509.ECDSAWithSHA384, CRLURL: "https://pca.test/crl", OCSPURL: "https://pca.test/ocsp",
	}, leafKey.Public(), issuer, issuerKey)
	if err != nil {
		t.Fatal(err)
	}
	got, err := signedLeaf(tmpl, der, leafKey.Public(), nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	same := map[string]bool{
		"Raw":                     reflect.DeepEqual(got.Raw, want.Raw),
		"RawSubjectPublicKeyInfo": reflect.DeepEqual(got.RawSubjectPublicKeyInfo, want.RawSubjectPublicKeyInfo),
		"PublicKey":               want.PublicKey.(*ecdsa.PublicKey).Equal(got.PublicKey),
		"SerialNumber":            got.SerialNumber.Cmp(want.SerialNumber) == 0,
		"Subject":                 reflect.DeepEqual(subjectInfoOf(got.Subject), subjectInfoOf(want.Subject)),
		"NotBefore":               got.NotBefore.Equal(want.NotBefore) && got.NotBefore.Location() == time.UTC,
		"NotAfter":                got.NotAfter.Equal(want.NotAfter) && got.NotAfter.Location() == time.UTC,
		"KeyUsage":                got.KeyUsage == want.KeyUsage,
		"ExtKeyUsage":             reflect.DeepEqual(got.ExtKeyUsage, want.ExtKeyUsage) && len(want.UnknownExtKeyUsage) == 0,
		"Policies":                reflect.DeepEqual(got.Policies, want.Policies),
		"SignatureAlgorithm":      got.SignatureAlgorithm == want.SignatureAlgorithm,
		"IsCA":                    got.IsCA == want.IsCA && got.BasicConstraintsValid == want.BasicConstraintsValid,
		"CRLDistributionPoints":   reflect.DeepEqual(got.CRLDistributionPoints, want.CRLDistributionPoints),
		"OCSPServer":              reflect.DeepEqual(got.OCSPServer, want.OCSPServer),
	}
	for field, ok := range same {
		if !ok {
			t.Errorf("%s differs from the parsed leaf", field)
		}
	}
}

func mustOID(t *testing.T, s string) x509.OID {
	t.Helper()
	oid, err := x509.ParseOID(s)
	if err != nil {
		t.Fatal(err)
	}
	return oid
}

// TestCSRKeyInfoIsTheLeafsKeyInfo holds the rule signedLeaf relies on when
// it takes a CSR's SubjectPublicKeyInfo as the leaf's: for every key type a
// template allows, the CSR's bytes are those CreateCertificate writes.
func TestCSRKeyInfoIsTheLeafsKeyInfo(t *testing.T) {
	_, edKey, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, key := range map[string]crypto.Signer{"EC": p256Key(t), "RSA": rsaKey(t, 2048), "ED25519": edKey} {
		csr, err := x509.ParseCertificateRequest(pemBlock(t, csrOfKey(t, key, "k", nil, nil, nil), "CERTIFICATE REQUEST"))
		if err != nil {
			t.Fatal(err)
		}
		want, err := x509.MarshalPKIXPublicKey(key.Public())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(csr.RawSubjectPublicKeyInfo, want) {
			t.Errorf("%s: the CSR's SubjectPublicKeyInfo differs from the one a certificate gets", name)
		}
	}
}
