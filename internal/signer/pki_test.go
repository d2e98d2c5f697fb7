package signer

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"
)

// This file builds test keys, CSRs and CAs with crypto/x509.

// testCA is a CA certificate and its key.
type testCA struct {
	cert *x509.Certificate
	key  crypto.Signer
}

// certOpts tweaks a certificate made by makeCert.
type certOpts struct {
	notBefore, notAfter time.Time
	maxPathLenZero      bool
}

// nextSerial returns a random positive 64-bit serial number.
func nextSerial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
	if err != nil {
		panic(err)
	}
	return n.Add(n, big.NewInt(1))
}

func ecKey(tb testing.TB) *ecdsa.PrivateKey {
	tb.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func rsaKey(tb testing.TB) *rsa.PrivateKey {
	tb.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// makeCert signs a certificate for pub with signer, as issued by parent
// (nil: self-issued, named cn).
func makeCert(tb testing.TB, cn string, isCA bool, pub crypto.PublicKey, parent *x509.Certificate, signer crypto.Signer, o certOpts) *x509.Certificate {
	tb.Helper()
	if o.notBefore.IsZero() {
		o.notBefore = time.Now().Add(-time.Hour)
	}
	if o.notAfter.IsZero() {
		o.notAfter = o.notBefore.Add(48 * time.Hour)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          nextSerial(),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             o.notBefore,
		NotAfter:              o.notAfter,
		BasicConstraintsValid: true,
		IsCA:                  isCA,
		MaxPathLenZero:        o.maxPathLenZero,
		KeyUsage:              x509.KeyUsageDigitalSignature,
	}
	if isCA {
		tmpl.KeyUsage |= x509.KeyUsageCertSign
	} else {
		tmpl.DNSNames = []string{cn}
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// newRoot makes a self-signed root CA.
func newRoot(tb testing.TB, cn string, o certOpts) *testCA {
	tb.Helper()
	k := ecKey(tb)
	return &testCA{cert: makeCert(tb, cn, true, k.Public(), nil, k, o), key: k}
}

// newIntermediate makes a CA issued by parent.
func newIntermediate(tb testing.TB, cn string, parent *testCA, o certOpts) *testCA {
	tb.Helper()
	k := ecKey(tb)
	return &testCA{cert: makeCert(tb, cn, true, k.Public(), parent.cert, parent.key, o), key: k}
}

// issueLeaf makes a leaf certificate for pub issued by ca.
func issueLeaf(tb testing.TB, ca *testCA, pub crypto.PublicKey, o certOpts) *x509.Certificate {
	tb.Helper()
	return makeCert(tb, "app.example.com", false, pub, ca.cert, ca.key, o)
}

// csrSpec is what a test CSR asks for.
type csrSpec struct {
	cn     string
	dns    []string
	ips    []string
	uris   []string
	emails []string
}

// newCSR returns a PEM CERTIFICATE REQUEST for spec signed by key.
func newCSR(tb testing.TB, key crypto.Signer, s csrSpec) []byte {
	tb.Helper()
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: newCSRDER(tb, key, s)})
}

func newCSRDER(tb testing.TB, key crypto.Signer, s csrSpec) []byte {
	tb.Helper()
	tmpl := &x509.CertificateRequest{
		Subject:        pkix.Name{CommonName: s.cn},
		DNSNames:       s.dns,
		EmailAddresses: s.emails,
	}
	for _, ip := range s.ips {
		tmpl.IPAddresses = append(tmpl.IPAddresses, net.ParseIP(ip))
	}
	for _, u := range s.uris {
		parsed, err := url.Parse(u)
		if err != nil {
			tb.Fatal(err)
		}
		tmpl.URIs = append(tmpl.URIs, parsed)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, key)
	if err != nil {
		tb.Fatal(err)
	}
	return der
}

// pemOf encodes certs as concatenated PEM CERTIFICATE blocks.
func pemOf(certs ...*x509.Certificate) string {
	var b strings.Builder
	for _, c := range certs {
		b.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
	}
	return b.String()
}
