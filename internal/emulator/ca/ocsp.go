package ca

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
	"math/big"
	"sync"
	"time"

	"golang.org/x/crypto/ocsp"
)

// IssuerMatches reports whether an OCSP request's CertID names issuer: the
// hashes of its subject and of its public key bits (RFC 6960 4.1.1) under
// the request's hash algorithm.
func IssuerMatches(req *ocsp.Request, issuer *x509.Certificate) bool {
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

// responder is who signs the OCSP responses of one issuer: the issuer
// itself, or (for an Ed25519 issuer, which golang.org/x/crypto/ocsp cannot
// sign with) a delegated responder certificate the issuer signed (RFC 6960
// 4.2.2.2).
type responder struct {
	cert *x509.Certificate
	key  crypto.Signer
	// delegated is set when cert is not the issuer; it is then sent in the
	// response.
	delegated bool
}

// newDelegatedResponder makes an EC P-256 OCSP signing certificate issued
// by issuer, valid from now to the issuer's notAfter, carrying
// id-pkix-ocsp-nocheck (RFC 6960 4.2.2.2.1) so clients need not check it.
func newDelegatedResponder(issuer Issuer, issuerID int64, now time.Time) (responder, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return responder{}, err
	}
	serial, err := NewSerial()
	if err != nil {
		return responder{}, err
	}
	noCheck := pkix.Extension{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 5}, Value: []byte{0x05, 0x00}}
	tmpl := &x509.Certificate{
		SerialNumber:    serial,
		Subject:         pkix.Name{CommonName: fmt.Sprintf("OCSP responder of certificate %d, %s", issuerID, issuer.Cert.Subject.CommonName)},
		NotBefore:       now.Add(-time.Minute),
		NotAfter:        issuer.Cert.NotAfter,
		KeyUsage:        x509.KeyUsageDigitalSignature,
		ExtKeyUsage:     []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning},
		ExtraExtensions: []pkix.Extension{noCheck},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer.Cert, key.Public(), issuer.Key)
	if err != nil {
		return responder{}, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return responder{}, err
	}
	return responder{cert: cert, key: key, delegated: true}, nil
}

// CA is the state of the certificate authority that lives in memory, not
// in storage: the delegated OCSP responder of each Ed25519 issuer, and each
// signed OCSP response until its nextUpdate. A restart forgets both: a new
// responder is made, and responses are signed afresh. It is safe for
// concurrent use.
type CA struct {
	mu        sync.Mutex
	delegates map[int64]responder
	responses map[ocspKey]ocspResponse
}

// ocspKey names one cached OCSP response: an issuer id and a serial's
// big-endian magnitude.
type ocspKey struct {
	issuerID int64
	serial   string
}

// ocspResponse is a signed OCSP response served until its nextUpdate.
type ocspResponse struct {
	der        []byte
	nextUpdate time.Time
}

// New returns a CA with nothing in memory.
func New() *CA {
	return &CA{delegates: map[int64]responder{}, responses: map[ocspKey]ocspResponse{}}
}

// SerialStatus is what the records say of one serial of an issuer: never
// issued (unknown), issued, or issued and revoked at RevokedAt.
type SerialStatus struct {
	Issued    bool
	RevokedAt time.Time
}

// CachedOCSP returns the response signed earlier for a serial of issuer
// issuerID while now is before its nextUpdate. The cache is what the PCA's
// ocspRefreshPeriod is (docs/pca-api.md, OCSP): a revocation shows only once
// the cached response turns over.
func (c *CA) CachedOCSP(issuerID int64, serial *big.Int, now time.Time) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.responses[ocspKey{issuerID, string(serial.Bytes())}]
	if !ok || !now.Before(r.nextUpdate) {
		return nil, false
	}
	return r.der, true
}

// SignOCSP signs and caches the response to req about a serial of issuer
// (id issuerID) with status st: thisUpdate now in whole seconds, nextUpdate
// refresh later. The issuer signs, or for an Ed25519 issuer (which
// golang.org/x/crypto/ocsp cannot sign with) its delegated responder.
func (c *CA) SignOCSP(issuerID int64, issuer Issuer, req *ocsp.Request, st SerialStatus, now time.Time, refresh time.Duration) ([]byte, error) {
	this := now.UTC().Truncate(time.Second)
	tmpl := ocsp.Response{
		Status: ocsp.Unknown, SerialNumber: req.SerialNumber, IssuerHash: req.HashAlgorithm,
		ThisUpdate: this, NextUpdate: this.Add(refresh),
	}
	switch {
	case !st.RevokedAt.IsZero():
		tmpl.Status, tmpl.RevokedAt, tmpl.RevocationReason = ocsp.Revoked, st.RevokedAt.UTC().Truncate(time.Second), ocsp.Unspecified
	case st.Issued:
		tmpl.Status = ocsp.Good
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	r, err := c.responderOf(issuerID, issuer, now)
	if err != nil {
		return nil, err
	}
	if r.delegated {
		tmpl.Certificate = r.cert
	}
	der, err := ocsp.CreateResponse(issuer.Cert, r.cert, tmpl, r.key)
	if err != nil {
		return nil, fmt.Errorf("sign OCSP response: %w", err)
	}
	c.responses[ocspKey{issuerID, string(req.SerialNumber.Bytes())}] = ocspResponse{der: der, nextUpdate: tmpl.NextUpdate}
	return der, nil
}

// responderOf is the issuer itself, or for an Ed25519 issuer its delegated
// responder, made on first use and again once expired (docs/pca-api.md,
// A37). The caller holds c.mu.
func (c *CA) responderOf(issuerID int64, issuer Issuer, now time.Time) (responder, error) {
	if _, ed := issuer.Key.Public().(ed25519.PublicKey); !ed {
		return responder{cert: issuer.Cert, key: issuer.Key}, nil
	}
	if r, ok := c.delegates[issuerID]; ok && now.Before(r.cert.NotAfter) {
		return r, nil
	}
	r, err := newDelegatedResponder(issuer, issuerID, now)
	if err != nil {
		return responder{}, fmt.Errorf("make OCSP responder: %w", err)
	}
	c.delegates[issuerID] = r
	return r, nil
}
