package signer

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"net"
	"net/url"
	"slices"
	"time"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// MaxClockSkew is how far the PCA's clock may be from the cluster's before
// an answer's validity is refused (5 minutes).
const MaxClockSkew = 5 * time.Minute

// Expectation is what an issued certificate is held to, beyond its chain's
// shape: the request and the store it was sent to.
type Expectation struct {
	// TemplateID is the template that signed, for messages.
	TemplateID int64
	// Now is the cluster's time of the check.
	Now time.Time
	// Sent is when the issuance request was sent (an adopted certificate
	// was sent earlier than Now); zero means Now.
	Sent time.Time
	// Duration is the validity asked for (the ttlValue sent, after the
	// template's maxTTL cap).
	Duration time.Duration
	// BackDate is the template's backDateValidation, as BackDate returns
	// it: how far notBefore may precede the issue time.
	BackDate time.Duration
	// Roots are the store's CA roots, as the issuer's check read them; the
	// chain must end at one of them. Empty skips the check (no pin yet).
	Roots []*x509.Certificate
	// Signing is the template's signing certificate as the store lists it;
	// when set, it must be the leaf's issuer.
	Signing *x509.Certificate
	// CommonName is the commonName sent; the leaf's subject CN, when it has
	// one, must be it.
	CommonName string
}

// BackDate returns a template's backDateValidation (seconds, as the PCA
// sends it) as a duration, within 0..wire.MaxBackDate: the endpoint may send
// anything, and only a real template's range is trusted.
func BackDate(seconds int64) time.Duration {
	return time.Duration(min(max(seconds, 0), int64(wire.MaxBackDate/time.Second))) * time.Second
}

// VerifyAnswer checks the PCA's answer to an issuance (or the certificate
// found for an earlier one) and returns what to write (see Verified). The CSR is parsed
// once; the checks are ChainFromResponse's (one chain from the CSR's key to
// a self-signed root), checkIssuedNames' (no requested name missing), then
// checkAnswer's (nothing else, against the request and exp).
//
// Errors: a *PermanentError for a CSR that does not parse
// (v1alpha1.ReasonInvalidCSR) or a requested SAN the certificate lacks
// (v1alpha1.ReasonSANMissing); a *RetryableError wrapping ErrBadResponse,
// naming the check, for any other failed check. A failing answer is never
// to be written.
func VerifyAnswer(csrPEM []byte, resp *wire.Certificate, exp Expectation) (*Verified, error) {
	csr, _, err := parseCSR(csrPEM)
	if err != nil {
		return nil, err
	}
	v, err := verifiedChain(csr, resp)
	if err != nil {
		return nil, err
	}
	if err := checkIssuedNames(csr, v.chain[0], exp.TemplateID); err != nil {
		return nil, err
	}
	if err := checkAnswer(csr, v.chain, v.root, exp); err != nil {
		return nil, err
	}
	return &Verified{Certificate: v.chainPEM, CA: v.caPEM, Leaf: v.chain[0]}, nil
}

// Verified is an answer that passed VerifyAnswer.
type Verified struct {
	// Certificate is the leaf and its intermediates, PEM, leaf first: the
	// request's certificate.
	Certificate []byte
	// CA is the root, PEM: the request's ca.
	CA []byte
	// Leaf is the issued certificate as parsed for the checks; its serial
	// is the one to record (the answer's serialNumber field is not
	// trusted).
	Leaf *x509.Certificate
}

// checkAnswer holds a verified chain (leaf first, then intermediates, and
// its root, as ChainFromResponse orders them) to the request (csr) and to
// exp. The checks, each named in its error:
//
//   - "not a CA": the leaf's basic constraints do not say CA (RFC 5280
//     section 4.2.1.9) and its key usage has neither keyCertSign nor
//     cRLSign (section 4.2.1.3);
//   - "no unrequested name": every DNS name, IP address, URI, email and
//     otherName of the leaf's SANs was asked for by the CSR, and it has no
//     SAN of another kind (the leaf missing a name is CheckIssuedNames'
//     concern);
//   - "valid now": notBefore is at most MaxClockSkew ahead of exp.Now and
//     at most BackDate + MaxClockSkew behind exp.Sent, and notAfter is
//     after exp.Now;
//   - "within the requested duration": notAfter is at most exp.Sent +
//     Duration + MaxClockSkew (BackDate, at most wire.MaxBackDate, only moves
//     notBefore back);
//   - "the subject asked for": the leaf's CN, when set, is exp.CommonName;
//   - "no dangerous usage": no id-kp-OCSPSigning or anyExtendedKeyUsage;
//   - "within its issuers": every certificate above the leaf is valid now,
//     and the leaf is valid no longer than any of them (RFC 5280 section 6
//     does not require it, but a certificate outliving its root cannot be
//     trusted for its whole life);
//   - "the template's CA": the leaf's issuer is exp.Signing, when given;
//   - "the store's root": the root is one of exp.Roots, when given.
//
// A failure is a *RetryableError wrapping ErrBadResponse, as every other
// check of an answer: it is never written.
func checkAnswer(csr *x509.CertificateRequest, chain []*x509.Certificate, root *x509.Certificate, exp Expectation) error {
	leaf := chain[0]
	issuers := append(append([]*x509.Certificate{}, chain[1:]...), root)
	for _, check := range []func() string{
		func() string { return notCA(leaf) },
		func() string { return unrequestedName(csr, leaf) },
		func() string { return subjectAsSent(leaf, exp.CommonName) },
		func() string { return noDangerousUsage(leaf) },
		func() string { return validNow(leaf, exp) },
		func() string { return withinIssuers(leaf, issuers, exp.Now) },
		func() string { return signedBy(issuers[0], exp.Signing) },
		func() string { return pinnedRoot(root, exp.Roots) },
	} {
		if msg := check(); msg != "" {
			return badResponse(msg)
		}
	}
	return nil
}

func notCA(leaf *x509.Certificate) string {
	if (leaf.BasicConstraintsValid && leaf.IsCA) || leaf.KeyUsage&(x509.KeyUsageCertSign|x509.KeyUsageCRLSign) != 0 {
		return "not a CA: the issued certificate is a CA certificate or may sign certificates or CRLs, but a leaf was asked for"
	}
	return ""
}

// subjectAsSent names a leaf whose subject CN is not the commonName sent.
func subjectAsSent(leaf *x509.Certificate, commonName string) string {
	if commonName != "" && leaf.Subject.CommonName != "" && leaf.Subject.CommonName != commonName {
		return fmt.Sprintf("the subject asked for: the certificate's common name is %q, the request's %q", leaf.Subject.CommonName, commonName)
	}
	return ""
}

// noDangerousUsage names an extended key usage no leaf of this issuer may
// carry, whatever the template: signing OCSP responses for the CA
// (RFC 6960 section 4.2.2.2) or any purpose.
func noDangerousUsage(leaf *x509.Certificate) string {
	for _, u := range leaf.ExtKeyUsage {
		switch u {
		case x509.ExtKeyUsageOCSPSigning:
			return "no dangerous usage: the certificate may sign OCSP responses for its CA (id-kp-OCSPSigning)"
		case x509.ExtKeyUsageAny:
			return "no dangerous usage: the certificate carries anyExtendedKeyUsage"
		}
	}
	return ""
}

// signedBy names a leaf whose issuer is not the template's signing
// certificate, when that is known.
func signedBy(issuer, signing *x509.Certificate) string {
	if signing == nil || bytes.Equal(issuer.Raw, signing.Raw) {
		return ""
	}
	return fmt.Sprintf("the template's CA: the certificate was issued by %q, not by the template's signing certificate %q", issuer.Subject.String(), signing.Subject.String())
}

// unrequestedName names the first SAN of the leaf the CSR did not ask for.
// The PCA may add the common name as a DNS name when it is one. Names are
// compared case-insensitively in ASCII only (DNS names are ASCII, RFC 5280
// section 4.2.1.6), so that Unicode case folding cannot make one name of
// another.
func unrequestedName(csr *x509.CertificateRequest, leaf *x509.Certificate) string {
	asked := func(list []string, v string) bool {
		return slices.ContainsFunc(list, func(a string) bool { return asciiEqualFold(a, v) })
	}
	for _, d := range leaf.DNSNames {
		if !asked(csr.DNSNames, d) && !asciiEqualFold(d, csr.Subject.CommonName) {
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
	return unrequestedOtherName(csr, leaf)
}

// unrequestedOtherName names an otherName SAN of the leaf the CSR did not
// ask for, or a SAN of a kind no request carries (directoryName,
// registeredID, x400Address, ediPartyName).
func unrequestedOtherName(csr *x509.CertificateRequest, leaf *x509.Certificate) string {
	names, err := generalNames(leaf.Extensions)
	if err != nil {
		return "no unrequested name: the certificate's SAN extension does not parse: " + err.Error()
	}
	if len(names.DirectoryNames)+len(names.RegisteredIDs)+len(names.X400Addresses)+len(names.EDIPartyNames) > 0 {
		return "no unrequested name: the certificate carries a directoryName, registeredID, x400Address or ediPartyName SAN, which no request asks for"
	}
	requested, _ := otherSANsOf(csr)
	for _, o := range issuedOtherNames(leaf) {
		if !slices.ContainsFunc(requested, func(r wire.OidInfo) bool { return r.OID == o.OID && r.Value == o.Value }) {
			return fmt.Sprintf("no unrequested name: the certificate names otherName %s=%q, which the request does not ask for", o.OID, o.Value)
		}
	}
	if len(names.OtherNames) > len(issuedOtherNames(leaf)) {
		return "no unrequested name: the certificate carries an otherName SAN that holds no string"
	}
	return ""
}

// asciiEqualFold is strings.EqualFold for ASCII strings; any other byte
// must match exactly.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
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
	// Back-dating moves notBefore back, never notAfter forward.
	case exp.Duration > 0 && leaf.NotAfter.After(sent.Add(exp.Duration+MaxClockSkew)):
		return fmt.Sprintf("within the requested duration: the certificate is valid until %s, past the %s asked for", leaf.NotAfter.UTC().Format(time.RFC3339), exp.Duration)
	}
	return ""
}

func withinIssuers(leaf *x509.Certificate, issuers []*x509.Certificate, now time.Time) string {
	for _, is := range issuers {
		if is.NotBefore.After(now.Add(MaxClockSkew)) {
			return fmt.Sprintf("within its issuers: its issuer %q is valid only from %s", is.Subject.String(), is.NotBefore.UTC().Format(time.RFC3339))
		}
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
