package emulator

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// opensslPath finds the openssl command. Its absence fails the test unless
// PCA_SKIP_OPENSSL=1, so CI cannot pass by accident without it.
func opensslPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("openssl")
	if err == nil {
		return p
	}
	if os.Getenv("PCA_SKIP_OPENSSL") == "1" {
		t.Skip("openssl not found and PCA_SKIP_OPENSSL=1")
	}
	t.Fatalf("openssl not found (%v); install it or set PCA_SKIP_OPENSSL=1", err)
	return ""
}

// openssl runs the openssl command and returns its combined output.
func openssl(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// chainFor makes, over HTTP, a store with CRL and OCSP on, a ROOT and an
// INTERMEDIATE of one key family, and a template under the intermediate
// whose keyInfo is the leaf key's.
func (h *harness) chainFor(keyInfo wire.KeyInfo, sig string, leafKeyInfo wire.KeyInfo) (storeID, rootID, interID, templateID int64) {
	h.t.Helper()
	var s wire.StoreChange
	h.ok(http.MethodPost, path(""), wire.StoreRequest{Name: "interop", CRLActive: true, OCSPActive: true}, &s)
	var root, inter wire.Certificate
	h.ok(http.MethodPost, path("/%d/certs", s.ID), wire.IssuerCertRequest{
		CertificateType: wire.TypeRoot, Name: "root", SubjectInfo: wire.SubjectInfo{CommonName: "Interop Root " + keyInfo.Algorithm},
		TTLValue: 86400 * 30, MaxDepth: ptr(1), KeyInfo: keyInfo, SignatureAlgorithm: sig,
	}, &root)
	h.ok(http.MethodPost, path("/%d/certs", s.ID), wire.IssuerCertRequest{
		CertificateType: wire.TypeIntermediate, ParentCertID: root.CertificateID, Name: "inter",
		SubjectInfo: wire.SubjectInfo{CommonName: "Interop Intermediate " + keyInfo.Algorithm},
		TTLValue:    86400 * 20, KeyInfo: keyInfo, SignatureAlgorithm: sig,
	}, &inter)
	templateID = h.createTemplate(s.ID, inter.CertificateID, func(r *wire.TemplateRequest) { r.KeyInfo = leafKeyInfo })
	return s.ID, root.CertificateID, inter.CertificateID, templateID
}

func TestOpenSSLInterop(t *testing.T) {
	bin := opensslPath(t)
	ed := func() crypto.Signer { _, k, _ := ed25519.GenerateKey(rand.Reader); return k }
	tests := []struct {
		name    string
		keyInfo wire.KeyInfo
		sig     string
		leafKey func() crypto.Signer
		leafKI  wire.KeyInfo
	}{
		{"rsa-root", wire.KeyInfo{Algorithm: "RSA", KeySize: 2048}, wire.SHA256WithRSA, func() crypto.Signer { return rsaKey(t, 2048) }, wire.KeyInfo{Algorithm: "RSA", KeySize: 2048}},
		{"ec-root", wire.KeyInfo{Algorithm: "EC", KeySize: 384}, wire.SHA384WithECDSA, func() crypto.Signer { k, _ := newCSR(t, "", nil, nil, nil); return k }, wire.KeyInfo{Algorithm: "EC", KeySize: 256}},
		{"ed25519-root", wire.KeyInfo{Algorithm: "ED25519"}, wire.SigEd25519, ed, wire.KeyInfo{Algorithm: "ED25519"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			// Start in the past so that, once the clock has passed the OCSP
			// cache period, openssl still finds the answers' times near now.
			h.clock.Advance(-40 * time.Minute)
			h.admin = h.token(adminID, adminKey)
			storeID, rootID, interID, templateID := h.chainFor(tc.keyInfo, tc.sig, tc.leafKI)
			csr := csrOfKey(t, tc.leafKey(), "interop.example.com", []string{"interop.example.com"}, nil, nil)
			d, leaf, _ := issued(t, h.issue(storeID, templateID, wire.IssueRequest{Mode: wire.ModeSign, Csr: csr, CommonName: "interop.example.com", TTLValue: 86400}))

			dir := t.TempDir()
			write := func(name, text string) string {
				p := filepath.Join(dir, name)
				if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
					t.Fatal(err)
				}
				return p
			}
			rootDetail, _ := h.certOf(storeID, rootID)
			interDetail, _ := h.certOf(storeID, interID)
			rootPEM, interPEM, leafPEM := write("root.pem", rootDetail.CertificatePem), write("inter.pem", interDetail.CertificatePem), write("leaf.pem", d.CertificatePem)

			if out := openssl(t, bin, "verify", "-CAfile", rootPEM, "-untrusted", interPEM, leafPEM); !strings.Contains(out, "leaf.pem: OK") {
				t.Fatalf("openssl verify: %s", out)
			}

			ocspArgs := []string{"ocsp", "-issuer", interPEM, "-cert", leafPEM, "-url", d.OCSPURL, "-CAfile", rootPEM, "-no_nonce", "-validity_period", "7200"}
			if out := openssl(t, bin, ocspArgs...); !strings.Contains(out, "leaf.pem: good") || !strings.Contains(out, "Response verify OK") {
				t.Fatalf("openssl ocsp before revocation: %s", out)
			}

			h.ok(http.MethodPost, path("/%d/certs/%d/revoke", storeID, d.CertificateID), nil, nil)
			h.ok(http.MethodPost, path("/%d/certs/%d/crl", storeID, interID), nil, nil)
			status, _, der := h.raw(http.MethodGet, path("/%d/certs/%d/crl/der", storeID, interID), "", nil, "")
			if status != http.StatusOK {
				t.Fatalf("CRL: HTTP %d", status)
			}
			crlPath := write("crl.der", string(der))
			serialHex := fmt.Sprintf("%X", leaf.SerialNumber)
			if len(serialHex)%2 == 1 {
				serialHex = "0" + serialHex
			}
			if out := openssl(t, bin, "crl", "-inform", "DER", "-in", crlPath, "-noout", "-text"); !strings.Contains(out, "Serial Number: "+serialHex) {
				t.Errorf("openssl crl does not list serial %s:\n%s", serialHex, out)
			}
			if out := openssl(t, bin, "crl", "-inform", "DER", "-in", crlPath, "-noout", "-CAfile", write("chain.pem", interDetail.CertificatePem+rootDetail.CertificatePem)); !strings.Contains(out, "verify OK") {
				t.Errorf("openssl crl signature: %s", out)
			}

			h.clock.Advance(time.Hour)
			if out := openssl(t, bin, ocspArgs...); !strings.Contains(out, "leaf.pem: revoked") {
				t.Fatalf("openssl ocsp after revocation and the cache period: %s", out)
			}
		})
	}
}
