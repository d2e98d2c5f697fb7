package emulator

import (
	"bytes"
	"crypto"
	"crypto/x509"
)

// parsedIssuer is an issuer certificate and key as parsed from its record,
// and, once an issuance needed it, the chain PEM of what it signs
// (service.chainBelow).
type parsedIssuer struct {
	cert  *x509.Certificate
	key   crypto.Signer
	chain *[2]string
}

// issuerOf returns an issuer record ready to sign. Parsing the certificate
// and the PKCS #8 key (which recomputes the public point) on every issuance
// cost about a tenth of it, and reading and encoding the issuer's chain for
// the answer a few percent more, so each issuer id is parsed once and kept
// for the service's life. Nothing needs invalidating: a certificate's DER,
// key, type and parent never change (revocation only sets rec.Revoked,
// which callers read from the fresh record), and ids are never reused. The
// DER is still compared, so a record that did change is parsed again rather
// than trusted. The caller holds s.mu.
func (s *service) issuerOf(rec certRecord) (issuerCA, *apiError) {
	if p, ok := s.issuers[rec.ID]; ok && bytes.Equal(p.cert.Raw, rec.DER) {
		return issuerCA{rec: rec, cert: p.cert, key: p.key}, nil
	}
	cert, err := x509.ParseCertificate(rec.DER)
	if err != nil {
		return issuerCA{}, errInternal("parse issuer", err)
	}
	key, err := parseSigner(rec.KeyPKCS8)
	if err != nil {
		return issuerCA{}, errInternal("read issuer key", err)
	}
	s.issuers[rec.ID] = parsedIssuer{cert: cert, key: key}
	return issuerCA{rec: rec, cert: cert, key: key}, nil
}

// chainBelow is the chainCertificatePem of a certificate the issuer signs:
// the issuer then its own issuers up to the root, leaving the root out when
// withoutRoot. It is built on first use and kept with the parsed issuer, for
// the reasons issuerOf gives. The caller holds s.mu.
func (s *service) chainBelow(issuer issuerCA, withoutRoot bool) (string, *apiError) {
	p, kept := s.issuers[issuer.rec.ID]
	if p.chain == nil {
		above, err := s.chainOf(issuer.rec)
		if err != nil {
			return "", err
		}
		chain := append([]certRecord{issuer.rec}, above...)
		p.chain = &[2]string{pemChain(chain, false), pemChain(chain, true)}
		if kept {
			s.issuers[issuer.rec.ID] = p
		}
	}
	if withoutRoot {
		return p.chain[1], nil
	}
	return p.chain[0], nil
}
