package signer

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cert-manager/cert-manager/pkg/util/pki"
)

// MaxClockSkew is how far the PCA's clock may be from the cluster's before
// an answer's validity is refused (5 minutes).
const MaxClockSkew = 5 * time.Minute

// Expectation is what an issued certificate is held to, beyond its chain's
// shape: the request and the store it was sent to.
type Expectation struct {
	// Now is the cluster's time of the check.
	Now time.Time
	// Sent is when the issuance request was sent (an adopted certificate
	// was sent earlier than Now); zero means Now.
	Sent time.Time
	// Duration is the validity asked for (the ttlValue sent, after the
	// template's maxTTL cap).
	Duration time.Duration
	// BackDate is the template's backDateValidation: how far notBefore may
	// precede the issue time.
	BackDate time.Duration
	// Roots are the store's CA roots, as the issuer's check read them; the
	// chain must end at one of them. Empty skips the check (no pin yet).
	Roots []*x509.Certificate
}

// CheckAnswer holds a verified chain (leaf first, then intermediates, and
// its root, as ChainFromResponse orders them) to the request (csrPEM) and
// to exp. The checks, each named in its error:
//
//   - "not a CA": the leaf's basic constraints do not say CA (RFC 5280
//     section 4.2.1.9);
//   - "no unrequested name": every DNS name, IP address, URI and email of
//     the leaf's SANs was asked for by the CSR (the leaf missing a name is
//     CheckIssuedNames' concern);
//   - "valid now": notBefore is at most MaxClockSkew ahead of exp.Now and
//     at most BackDate + MaxClockSkew behind exp.Sent, and notAfter is
//     after exp.Now;
//   - "within the requested duration": notAfter is at most exp.Sent +
//     Duration + BackDate + MaxClockSkew;
//   - "within its issuers": the leaf is valid no longer than any
//     certificate above it (RFC 5280 section 6 does not require it, but a
//     certificate outliving its root cannot be trusted for its whole life);
//   - "the store's root": the root is one of exp.Roots, when given.
//
// A failure is a *RetryableError wrapping ErrBadResponse, as every other
// check of an answer: it is never written.
func CheckAnswer(csrPEM []byte, chain []*x509.Certificate, root *x509.Certificate, exp Expectation) error {
	csr, _, err := parseCSR(csrPEM)
	if err != nil {
		return err
	}
	leaf := chain[0]
	for _, check := range []func() string{
		func() string { return notCA(leaf) },
		func() string { return unrequestedName(csr, leaf) },
		func() string { return validNow(leaf, exp) },
		func() string { return withinIssuers(leaf, append(chain[1:], root)) },
		func() string { return pinnedRoot(root, exp.Roots) },
	} {
		if msg := check(); msg != "" {
			return badResponse(msg)
		}
	}
	return nil
}

func notCA(leaf *x509.Certificate) string {
	if leaf.BasicConstraintsValid && leaf.IsCA {
		return "not a CA: the issued certificate is a CA certificate, but a leaf was asked for"
	}
	return ""
}

// unrequestedName names the first SAN of the leaf the CSR did not ask for.
// The PCA may add the common name as a DNS name when it is one.
func unrequestedName(csr *x509.CertificateRequest, leaf *x509.Certificate) string {
	asked := func(list []string, v string) bool {
		return slices.ContainsFunc(list, func(a string) bool { return strings.EqualFold(a, v) })
	}
	for _, d := range leaf.DNSNames {
		if !asked(csr.DNSNames, d) && !strings.EqualFold(d, csr.Subject.CommonName) {
			return fmt.Sprintf("no unrequested name: the certificate names DNS %q, which the request does not ask for", d)
		}
	}
	for _, ip := range leaf.IPAddresses {
		if !slices.ContainsFunc(csr.IPAddresses, ip.Equal) && !sameIP(ip, csr.Subject.CommonName) {
			return fmt.Sprintf("no unrequested name: the certificate names IP %s, which the request does not ask for", ip)
		}
	}
	for _, u := range leaf.URIs {
		if !slices.ContainsFunc(csr.URIs, func(a *url.URL) bool { return a.String() == u.String() }) {
			return fmt.Sprintf("no unrequested name: the certificate names URI %q, which the request does not ask for", u)
		}
	}
	for _, e := range leaf.EmailAddresses {
		if !asked(csr.EmailAddresses, e) {
			return fmt.Sprintf("no unrequested name: the certificate names email %q, which the request does not ask for", e)
		}
	}
	return ""
}

func sameIP(ip net.IP, s string) bool {
	other := net.ParseIP(s)
	return other != nil && other.Equal(ip)
}

func validNow(leaf *x509.Certificate, exp Expectation) string {
	sent := exp.Sent
	if sent.IsZero() || sent.After(exp.Now) {
		sent = exp.Now
	}
	switch {
	case leaf.NotBefore.After(exp.Now.Add(MaxClockSkew)):
		return fmt.Sprintf("valid now: the certificate is valid only from %s", leaf.NotBefore.UTC().Format(time.RFC3339))
	case leaf.NotBefore.Before(sent.Add(-exp.BackDate - MaxClockSkew)):
		return fmt.Sprintf("valid now: the certificate's notBefore %s is further back than the template's back-dating of %s", leaf.NotBefore.UTC().Format(time.RFC3339), exp.BackDate)
	case !leaf.NotAfter.After(exp.Now):
		return fmt.Sprintf("valid now: the certificate expired at %s", leaf.NotAfter.UTC().Format(time.RFC3339))
	case exp.Duration > 0 && leaf.NotAfter.After(sent.Add(exp.Duration+exp.BackDate+MaxClockSkew)):
		return fmt.Sprintf("within the requested duration: the certificate is valid until %s, past the %s asked for", leaf.NotAfter.UTC().Format(time.RFC3339), exp.Duration)
	}
	return ""
}

func withinIssuers(leaf *x509.Certificate, issuers []*x509.Certificate) string {
	for _, is := range issuers {
		if leaf.NotAfter.After(is.NotAfter) {
			return fmt.Sprintf("within its issuers: the certificate is valid until %s, after its issuer %q expires (%s)",
				leaf.NotAfter.UTC().Format(time.RFC3339), is.Subject.String(), is.NotAfter.UTC().Format(time.RFC3339))
		}
	}
	return ""
}

func pinnedRoot(root *x509.Certificate, pinned []*x509.Certificate) string {
	if len(pinned) == 0 {
		return ""
	}
	for _, p := range pinned {
		if bytes.Equal(p.Raw, root.Raw) {
			return ""
		}
	}
	return fmt.Sprintf("the store's root: the chain ends at %q (SHA-256 %s...), which is not a root of the issuer's store", root.Subject.String(), fingerprint(root))
}

// fingerprint is the start of a certificate's SHA-256 fingerprint, in hex.
func fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return fmt.Sprintf("%X", sum[:8])
}

// CheckAnswerPEM is CheckAnswer on the PEM that ChainFromResponse returns:
// chainPEM (leaf first, then intermediates) and caPEM (the root).
func CheckAnswerPEM(csrPEM, chainPEM, caPEM []byte, exp Expectation) error {
	chain, err := pki.DecodeX509CertificateChainBytes(chainPEM)
	if err != nil {
		return badResponse("the chain does not parse: " + err.Error())
	}
	root, err := pki.DecodeX509CertificateBytes(caPEM)
	if err != nil {
		return badResponse("the root does not parse: " + err.Error())
	}
	return CheckAnswer(csrPEM, chain, root, exp)
}
