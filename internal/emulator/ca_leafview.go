package emulator

import (
	"crypto"
	"crypto/x509"
	"time"
)

// issueLeaf signs a leaf for pub from a profile, as issueCertificate, and
// returns it as signedLeaf reads it back. spki is pub's SubjectPublicKeyInfo
// DER when the caller has it (a CSR's), else nil.
func issueLeaf(p certProfile, pub crypto.PublicKey, spki []byte, issuer *x509.Certificate, issuerKey crypto.Signer) (*x509.Certificate, error) {
	der, tmpl, err := signCertificate(p, pub, issuer, issuerKey)
	if err != nil {
		return nil, err
	}
	return signedLeaf(tmpl, der, pub, spki)
}

// signedLeaf returns the leaf that x509.CreateCertificate just encoded as
// der from tmpl, without parsing der: parsing the leaf again only to
// describe it was a twentieth of a SIGN issuance. The fields set are those
// the issuance answer, the serial registry and the issuance counter read
// (describeCert, certStatus, keepCert, issuanceCounter), each equal to what
// x509.ParseCertificate(der) gives:
//
//   - Raw is der; PublicKey is pub; RawSubjectPublicKeyInfo is spki, or
//     when nil pub's PKIX encoding, which is what CreateCertificate writes.
//     A CSR's own spki is that same encoding: x509.ParseCertificateRequest
//     takes only what MarshalPKIXPublicKey writes (RSA with NULL
//     parameters, named curves with uncompressed points, Ed25519), all DER;
//   - NotBefore and NotAfter are cut to whole seconds in UTC, the precision
//     of UTCTime and GeneralizedTime (RFC 5280 4.1.2.5);
//   - the rest is copied from tmpl, which CreateCertificate encodes as is.
//
// Where encoding does change a field, der is parsed instead: a subject with
// otherFields (ExtraNames replace subject attributes of the same type and
// may hold non-string values), extended key usage OIDs given by number
// (an OID Go knows is read back as a named usage), or a signature algorithm
// left for CreateCertificate to choose. TestIssuanceAnswerMatchesTheLeaf
// holds the two paths equal.
func signedLeaf(tmpl *x509.Certificate, der []byte, pub crypto.PublicKey, spki []byte) (*x509.Certificate, error) {
	if len(tmpl.Subject.ExtraNames) > 0 || len(tmpl.UnknownExtKeyUsage) > 0 || tmpl.SignatureAlgorithm == x509.UnknownSignatureAlgorithm {
		return x509.ParseCertificate(der)
	}
	if spki == nil {
		var err error
		if spki, err = x509.MarshalPKIXPublicKey(pub); err != nil {
			return nil, err
		}
	}
	// tmpl is this issuance's own: it becomes the leaf.
	tmpl.Raw = der
	tmpl.PublicKey = pub
	tmpl.RawSubjectPublicKeyInfo = spki
	tmpl.NotBefore = tmpl.NotBefore.UTC().Truncate(time.Second)
	tmpl.NotAfter = tmpl.NotAfter.UTC().Truncate(time.Second)
	return tmpl, nil
}
