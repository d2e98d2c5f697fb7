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
	intermediate := newIntermediate(t, "Store Intermediate", root, certOpts{notBefore: now.Add(-24 * time.Hour), notAfter: now.Add(300 * 24 * time.Hour)})
	sibling := newIntermediate(t, "Other Store Intermediate", root, certOpts{notBefore: now.Add(-24 * time.Hour), notAfter: now.Add(300 * 24 * time.Hour)})
	future := newRoot(t, "Future Root", certOpts{notBefore: now.Add(-time.Hour), notAfter: now.Add(365 * 24 * time.Hour)})
	future.cert.NotBefore = now.Add(30 * 24 * time.Hour) // as parsed: only the check reads it
	tests := []struct {
		name  string
		leaf  *x509.Certificate
		chain []*x509.Certificate // above the leaf, below the root
		root  *testCA
		exp   Expectation
		csr   []byte // nil: csrPEM
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
		{name: "key-cert-sign-on-a-leaf", leaf: leaf(root, func(c *x509.Certificate) { c.KeyUsage |= x509.KeyUsageCertSign }), root: root, exp: exp, check: "not a CA"},
		{name: "another-common-name", leaf: leaf(root, func(c *x509.Certificate) { c.Subject.CommonName = "bank.example" }), root: root,
			exp: withCN(exp, "web.example"), check: "the subject asked for"},
		{name: "ocsp-signing", leaf: leaf(root, func(c *x509.Certificate) { c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning} }), root: root, exp: exp, check: "no dangerous usage"},
		{name: "any-usage", leaf: leaf(root, func(c *x509.Certificate) { c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageAny} }), root: root, exp: exp, check: "no dangerous usage"},
		{name: "unicode-folding-is-not-a-name", leaf: leaf(root, func(c *x509.Certificate) { c.DNSNames = append(c.DNSNames, "key.example") }), root: root,
			exp: exp, csr: newCSR(t, key, csrSpec{cn: "\u212aey.example", dns: []string{"web.example"}, ips: []string{"10.0.0.1"}}), check: "no unrequested name"},
		{name: "a-huge-back-dating-does-not-stretch-notafter", leaf: leaf(root, func(c *x509.Certificate) { c.NotAfter = now.Add(40 * 24 * time.Hour) }), root: root,
			exp: Expectation{Now: now, Duration: 24 * time.Hour, BackDate: 50 * 365 * 24 * time.Hour, Roots: exp.Roots}, check: "within the requested duration"},
		{name: "issuer-not-yet-valid", leaf: leaf(future, nil), root: future, exp: Expectation{Now: now, Duration: 24 * time.Hour, BackDate: time.Hour}, check: "within its issuers"},
		{name: "issued-by-another-ca-of-the-root", leaf: leaf(sibling, nil), chain: []*x509.Certificate{sibling.cert}, root: root,
			exp: withSigning(exp, intermediate.cert), check: "the template's CA"},
		{name: "issued-by-the-template-ca", leaf: leaf(intermediate, nil), chain: []*x509.Certificate{intermediate.cert}, root: root,
			exp: withSigning(exp, intermediate.cert)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			csr := csrPEM
			if tt.csr != nil {
				csr = tt.csr
			}
			parsed, _, err := parseCSR(csr)
			if err != nil {
				t.Fatal(err)
			}
			err = checkAnswer(parsed, append([]*x509.Certificate{tt.leaf}, tt.chain...), tt.root.cert, tt.exp)
			if tt.check == "" {
				if err != nil {
					t.Fatalf("checkAnswer = %v, want accepted", err)
				}
				return
			}
			if !errors.Is(err, ErrBadResponse) || !IsRetryable(err) || !strings.Contains(err.Error(), tt.check+":") {
				t.Fatalf("checkAnswer = %v, want a bad-answer error naming %q", err, tt.check)
			}
		})
	}
}

func withCN(e Expectation, cn string) Expectation { e.CommonName = cn; return e }

func withSigning(e Expectation, signing *x509.Certificate) Expectation { e.Signing = signing; return e }
