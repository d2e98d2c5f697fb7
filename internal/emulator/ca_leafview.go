package emulator

import (
	"crypto"
	"crypto/x509"
)

// issueLeaf signs a leaf for pub from a profile, as issueCertificate, and
// returns it as signedLeaf reads it back.
func issueLeaf(p certProfile, pub crypto.PublicKey, issuer *x509.Certificate, issuerKey crypto.Signer) (*x509.Certificate, error) {
	der, tmpl, err := signCertificate(p, pub, issuer, issuerKey)
	if err != nil {
		return nil, err
	}
	return signedLeaf(tmpl, der, pub)
}

// signedLeaf returns the leaf that x509.CreateCertificate just encoded as
// der from tmpl. A leaf of the common shape is not parsed back: parsing it
// again only to describe it was a twentieth of a SIGN issuance. The fields
// set are those the issuance answer and the serial registry read
// (describeCert, certStatus, keepCert), each equal to what
// x509.ParseCertificate(der) gives:
//
//   - Raw is der and PublicKey is pub;
//   - NotBefore and NotAfter are as certTime gives them, in UTC and whole
//     seconds;
//   - the rest is copied from tmpl, which CreateCertificate encodes as is.
//
// Any other leaf is parsed, for one of two reasons. Encoding changes what
// some fields read back as: a subject with otherFields (ExtraNames replace
// attributes of the same type and may hold non-string values), extended key
// usages given by OID (an OID Go knows reads back as a named usage), a
// signature algorithm left for CreateCertificate to choose. And Go's parser
// refuses some certificates its encoder writes: a policy listed twice (RFC
// 5280 4.2.1.4), a URI SAN whose host is not a domain name, a SAN
// extension built by hand for otherSans (ca_san.go) with a non-IA5 name.
// Those are then a 400, never kept, as a certificate Go cannot read must
// not be issued. TestIssuanceAnswerMatchesTheLeaf and
// TestUnreadableLeavesAreRefused hold both paths to this.
func signedLeaf(tmpl *x509.Certificate, der []byte, pub crypto.PublicKey) (*x509.Certificate, error) {
	if !plainLeaf(tmpl) {
		return x509.ParseCertificate(der)
	}
	// tmpl is this issuance's own: it becomes the leaf.
	tmpl.Raw = der
	tmpl.PublicKey = pub
	tmpl.NotBefore, tmpl.NotAfter = certTime(tmpl.NotBefore), certTime(tmpl.NotAfter)
	return tmpl, nil
}

// plainLeaf reports whether a leaf template uses only fields that Go's
// encoder writes and its parser reads back unchanged: a subject of
// subjectInfo attributes, DNS, IP and email SANs, key usage, named extended
// key usages, a chosen signature algorithm, CRL and OCSP URLs.
func plainLeaf(tmpl *x509.Certificate) bool {
	return len(tmpl.Subject.ExtraNames) == 0 &&
		len(tmpl.UnknownExtKeyUsage) == 0 &&
		tmpl.SignatureAlgorithm != x509.UnknownSignatureAlgorithm &&
		len(tmpl.Policies) == 0 && len(tmpl.PolicyIdentifiers) == 0 &&
		len(tmpl.URIs) == 0 &&
		len(tmpl.ExtraExtensions) == 0
}
