package emulator

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"slices"
	"testing"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// TestSignIssuesEveryKeyKind: a template of each keyInfo signs a CSR of
// that key kind in SIGN mode, and the leaf carries the CSR's key; the
// bootstrap's three leaf templates take RSA 2048, EC P-256 and Ed25519.
func TestSignIssuesEveryKeyKind(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("EC")
	ecKey := func(c elliptic.Curve) crypto.Signer {
		k, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	templateOf := func(k wire.KeyInfo) int64 {
		return h.createTemplate(b.CAStoreID, b.IntermediateCertID, func(r *wire.TemplateRequest) { r.KeyInfo = k })
	}
	cases := []struct {
		name     string
		key      crypto.Signer
		template int64
		wantAlg  string
		wantBits int
	}{
		{"rsa-2048-bootstrap", rsaKey(t, 2048), b.RSATemplateID, "RSA", 2048},
		{"ec-p256-bootstrap", ecKey(elliptic.P256()), b.ECTemplateID, "EC", 256},
		{"ed25519-bootstrap", edKey, b.Ed25519TemplateID, "ED25519", 256},
		{"rsa-3072", rsaKey(t, 3072), templateOf(wire.KeyInfo{Algorithm: "RSA", KeySize: 3072}), "RSA", 3072},
		{"rsa-4096", rsaKey(t, 4096), templateOf(wire.KeyInfo{Algorithm: "RSA", KeySize: 4096}), "RSA", 4096},
		{"ec-p384", ecKey(elliptic.P384()), templateOf(wire.KeyInfo{Algorithm: "EC", KeySize: 384}), "EC", 384},
		{"ec-p521", ecKey(elliptic.P521()), templateOf(wire.KeyInfo{Algorithm: "ECDSA", KeySize: 521}), "EC", 521},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			csr := csrOfKey(t, tc.key, "k.example.com", []string{"k.example.com"}, nil, nil)
			d, leaf, _ := issued(t, h.issue(b.CAStoreID, tc.template, wire.IssueRequest{Mode: wire.ModeSign, Csr: csr, CommonName: "k.example.com", TTLValue: 3600}))
			if alg, bits := describeKey(leaf.PublicKey); alg != tc.wantAlg || bits != tc.wantBits || d.KeyAlgorithm != tc.wantAlg || d.KeyLength != tc.wantBits {
				t.Errorf("leaf key %s %d, detail %s %d; want %s %d", alg, bits, d.KeyAlgorithm, d.KeyLength, tc.wantAlg, tc.wantBits)
			}
			if !leaf.PublicKey.(interface{ Equal(crypto.PublicKey) bool }).Equal(tc.key.Public()) {
				t.Error("the leaf does not carry the CSR's key")
			}
		})
	}
	if got := b.LeafTemplateIDs(); !slices.Equal(got, []int64{b.TemplateID, b.ECTemplateID, b.Ed25519TemplateID}) || b.TemplateID != b.RSATemplateID {
		t.Errorf("LeafTemplateIDs = %v, TemplateID %d; want the RSA template first and as TemplateID", got, b.TemplateID)
	}
}

// TestIssuanceAttemptsCountRefusedCalls: a refused SIGN call counts as an
// attempt for its key but not as an issuance.
func TestIssuanceAttemptsCountRefusedCalls(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("EC")
	key := rsaKey(t, 2048)
	csr := csrOfKey(t, key, "a.example.com", nil, nil, nil)
	h.issue(b.CAStoreID, b.ECTemplateID, wire.IssueRequest{Mode: wire.ModeSign, Csr: csr, TTLValue: 60}).wantError(t, 400, "keyInfo")
	if a, n := h.emu.IssuanceAttemptsFor(key.Public()), h.emu.IssuanceCountFor(key.Public()); a != 1 || n != 0 {
		t.Errorf("after a refused call: attempts %d, issuances %d; want 1, 0", a, n)
	}
	h.issue(b.CAStoreID, b.RSATemplateID, wire.IssueRequest{Mode: wire.ModeSign, Csr: csr, TTLValue: 60})
	if a, n := h.emu.IssuanceAttemptsFor(key.Public()), h.emu.IssuanceCountFor(key.Public()); a != 2 || n != 1 {
		t.Errorf("after an issuance: attempts %d, issuances %d; want 2, 1", a, n)
	}
}
