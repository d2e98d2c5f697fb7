package ca

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"time"
)

// Profile is everything that decides a certificate other than its key
// and issuer: what the service layer computes from a request and a template.
type Profile struct {
	// Serial is the serial number, unique per issuer (service.newSerialFor).
	Serial    *big.Int
	Subject   pkix.Name
	NotBefore time.Time
	NotAfter  time.Time
	// IsCA makes a ROOT or INTERMEDIATE; MaxPathLen is then its path length
	// constraint, -1 for none (maxDepth).
	IsCA       bool
	MaxPathLen int
	// BasicConstraintsValid writes "CA:false" on a non-CA certificate
	// (basicConstraintsValidForNonCa); CA certificates always carry it.
	BasicConstraintsValid bool
	KeyUsage              x509.KeyUsage
	ExtKeyUsage           []x509.ExtKeyUsage
	UnknownExtKeyUsage    []asn1.ObjectIdentifier
	Policies              []x509.OID
	SANs                  SANs
	SignatureAlgorithm    x509.SignatureAlgorithm
	// CRLURL is the CRL distribution point (RFC 5280 4.2.1.13) and OCSPURL
	// the AIA OCSP responder (RFC 5280 4.2.2.1); empty leaves them out.
	CRLURL  string
	OCSPURL string
}

// Issue signs a certificate for pub from a profile and parses it back. An
// issuer without a certificate makes a self-signed certificate, signed by
// issuer.Key, which must then be pub's own key. It fails without a serial
// number.
func Issue(p Profile, pub crypto.PublicKey, issuer Issuer) (*x509.Certificate, error) {
	if p.Serial == nil || p.Serial.Sign() <= 0 {
		return nil, fmt.Errorf("no positive serial number")
	}
	tmpl := &x509.Certificate{
		SerialNumber:          p.Serial,
		Subject:               p.Subject,
		NotBefore:             p.NotBefore,
		NotAfter:              p.NotAfter,
		KeyUsage:              p.KeyUsage,
		ExtKeyUsage:           p.ExtKeyUsage,
		UnknownExtKeyUsage:    p.UnknownExtKeyUsage,
		Policies:              p.Policies,
		SignatureAlgorithm:    p.SignatureAlgorithm,
		BasicConstraintsValid: p.IsCA || p.BasicConstraintsValid,
		IsCA:                  p.IsCA,
	}
	if p.CRLURL != "" {
		tmpl.CRLDistributionPoints = []string{p.CRLURL}
	}
	if p.OCSPURL != "" {
		tmpl.OCSPServer = []string{p.OCSPURL}
	}
	if p.IsCA {
		tmpl.MaxPathLen = p.MaxPathLen
		tmpl.MaxPathLenZero = p.MaxPathLen == 0
	}
	if err := applySANs(tmpl, p.SANs); err != nil {
		return nil, fmt.Errorf("subject alternative names: %w", err)
	}
	parent := issuer.Cert
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, issuer.Key)
	if err != nil {
		return nil, fmt.Errorf("sign certificate: %w", err)
	}
	// Parsed back, as Go's parser refuses some certificates its encoder
	// writes (a policy listed twice, a URI SAN whose host is not a domain,
	// a hand-built SAN with a non-IA5 name): such a certificate is never
	// issued.
	return x509.ParseCertificate(der)
}
