package emulator

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"time"

	"golang.org/x/crypto/ocsp"
)

// issuerMatches reports whether an OCSP request's CertID names issuer: the
// hashes of its subject and of its public key bits (RFC 6960 4.1.1) under
// the request's hash algorithm.
func issuerMatches(req *ocsp.Request, issuer *x509.Certificate) bool {
	if !req.HashAlgorithm.Available() {
		return false
	}
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(issuer.RawSubjectPublicKeyInfo, &spki); err != nil {
		return false
	}
	h := req.HashAlgorithm.New()
	h.Write(issuer.RawSubject)
	if !bytes.Equal(h.Sum(nil), req.IssuerNameHash) {
		return false
	}
	h.Reset()
	h.Write(spki.PublicKey.RightAlign())
	return bytes.Equal(h.Sum(nil), req.IssuerKeyHash)
}

// ocspResponder is who signs the OCSP responses of one issuer: the issuer
// itself, or (for an Ed25519 issuer, which golang.org/x/crypto/ocsp cannot
// sign with) a delegated responder certificate the issuer signed (RFC 6960
// 4.2.2.2).
type ocspResponder struct {
	cert *x509.Certificate
	key  crypto.Signer
	// delegated is set when cert is not the issuer; it is then sent in the
	// response.
	delegated bool
}

// newDelegatedResponder makes an EC P-256 OCSP signing certificate issued
// by issuer, valid from now to the issuer's notAfter, carrying
// id-pkix-ocsp-nocheck (RFC 6960 4.2.2.2.1) so clients need not check it.
func newDelegatedResponder(issuer *x509.Certificate, issuerKey crypto.Signer, issuerID int64, now time.Time) (ocspResponder, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return ocspResponder{}, err
	}
	serial, err := newSerial()
	if err != nil {
		return ocspResponder{}, err
	}
	noCheck := pkix.Extension{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 5}, Value: []byte{0x05, 0x00}}
	tmpl := &x509.Certificate{
		SerialNumber:    serial,
		Subject:         pkix.Name{CommonName: fmt.Sprintf("OCSP responder of certificate %d, %s", issuerID, issuer.Subject.CommonName)},
		NotBefore:       now.Add(-time.Minute),
		NotAfter:        issuer.NotAfter,
		KeyUsage:        x509.KeyUsageDigitalSignature,
		ExtKeyUsage:     []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning},
		ExtraExtensions: []pkix.Extension{noCheck},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, key.Public(), issuerKey)
	if err != nil {
		return ocspResponder{}, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return ocspResponder{}, err
	}
	return ocspResponder{cert: cert, key: key, delegated: true}, nil
}

// needsDelegate reports an issuer key x/crypto/ocsp cannot sign with.
func needsDelegate(key crypto.Signer) bool {
	_, ok := key.Public().(ed25519.PublicKey)
	return ok
}

// signOCSP signs a response about one serial of issuer.
func signOCSP(issuer *x509.Certificate, r ocspResponder, tmpl ocsp.Response) ([]byte, error) {
	if r.delegated {
		tmpl.Certificate = r.cert
	}
	return ocsp.CreateResponse(issuer, r.cert, tmpl, r.key)
}
