package signer

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// TestCheckAnswer holds hostile or broken answers to the request and the
// store: each is refused with the check it fails named.
func TestCheckAnswer(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	root := newRoot(t, "Store Root", certOpts{notBefore: now.Add(-24 * time.Hour), notAfter: now.Add(365 * 24 * time.Hour)})
	foreign := newRoot(t, "Foreign Root", certOpts{notBefore: now.Add(-24 * time.Hour), notAfter: now.Add(365 * 24 * time.Hour)})
	key := ecKey(t)
	csrPEM := newCSR(t, key, csrSpec{cn: "web.example", dns: []string{"web.example"}, ips: []string{"10.0.0.1"}})
	leaf := func(issuer *testCA, edit func(*x509.Certificate)) *x509.Certificate {
		tmpl := &x509.Certificate{
			SerialNumber: nextSerial(), Subject: pkix.Name{CommonName: "web.example"},
			NotBefore: now.Add(-time.Minute), NotAfter: now.Add(24 * time.Hour),
			DNSNames: []string{"web.example"}, IPAddresses: []net.IP{net.ParseIP("10.0.0.1")},
			BasicConstraintsValid: true, KeyUsage: x509.KeyUsageDigitalSignature,
		}
		if edit != nil {
			edit(tmpl)
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer.cert, key.Public(), issuer.key)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	exp := Expectation{Now: now, Duration: 24 * time.Hour, BackDate: time.Hour, Roots: []*x509.Certificate{root.cert}}
	tests := []struct {
		name  string
		leaf  *x509.Certificate
		root  *testCA
		exp   Expectation
		check string // "" means accepted
	}{
		{name: "as-requested", leaf: leaf(root, nil), root: root, exp: exp},
		{name: "no-pin-yet-skips-the-root-check", leaf: leaf(foreign, nil), root: foreign, exp: Expectation{Now: now, Duration: 24 * time.Hour}},
		{name: "ca-leaf", leaf: leaf(root, func(c *x509.Certificate) { c.IsCA = true }), root: root, exp: exp, check: "not a CA"},
		{name: "unrequested-dns", leaf: leaf(root, func(c *x509.Certificate) { c.DNSNames = append(c.DNSNames, "bank.example") }), root: root, exp: exp, check: "no unrequested name"},
		{name: "unrequested-ip", leaf: leaf(root, func(c *x509.Certificate) { c.IPAddresses = append(c.IPAddresses, net.ParseIP("10.0.0.2")) }), root: root, exp: exp, check: "no unrequested name"},
		{name: "unrequested-email", leaf: leaf(root, func(c *x509.Certificate) { c.EmailAddresses = []string{"a@b.example"} }), root: root, exp: exp, check: "no unrequested name"},
		{name: "expired", leaf: leaf(root, func(c *x509.Certificate) { c.NotBefore, c.NotAfter = now.Add(-2*time.Hour), now.Add(-time.Hour) }), root: root, exp: exp, check: "valid now"},
		{name: "not-yet-valid", leaf: leaf(root, func(c *x509.Certificate) { c.NotBefore = now.Add(time.Hour) }), root: root, exp: exp, check: "valid now"},
		{name: "back-dated-past-the-template", leaf: leaf(root, func(c *x509.Certificate) { c.NotBefore = now.Add(-48 * time.Hour) }), root: root, exp: exp, check: "valid now"},
		{name: "longer-than-asked", leaf: leaf(root, func(c *x509.Certificate) { c.NotAfter = now.Add(30 * 24 * time.Hour) }), root: root, exp: exp, check: "within the requested duration"},
		{name: "valid-past-its-root", leaf: leaf(root, func(c *x509.Certificate) { c.NotAfter = root.cert.NotAfter.Add(time.Hour) }), root: root,
			exp: Expectation{Now: now, BackDate: time.Hour, Roots: exp.Roots}, check: "within its issuers"},
		{name: "foreign-root", leaf: leaf(foreign, nil), root: foreign, exp: exp, check: "the store's root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckAnswer(csrPEM, []*x509.Certificate{tt.leaf}, tt.root.cert, tt.exp)
			if tt.check == "" {
				if err != nil {
					t.Fatalf("CheckAnswer = %v, want accepted", err)
				}
				return
			}
			if !errors.Is(err, ErrBadResponse) || !IsRetryable(err) || !strings.Contains(err.Error(), tt.check+":") {
				t.Fatalf("CheckAnswer = %v, want a bad-answer error naming %q", err, tt.check)
			}
		})
	}
}
