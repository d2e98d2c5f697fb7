package ca

import (
	"crypto"
	"crypto/x509"
	"fmt"
)

// Issuer is a ROOT or INTERMEDIATE ready to sign: its certificate and key.
type Issuer struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// ParseIssuer reads an issuer certificate (DER) and its key (PKCS #8 DER).
func ParseIssuer(certDER, keyPKCS8 []byte) (Issuer, error) {
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		return Issuer{}, fmt.Errorf("parse issuer: %w", err)
	}
	key, err := x509.ParsePKCS8PrivateKey(keyPKCS8)
	if err != nil {
		return Issuer{}, fmt.Errorf("read issuer key: %w", err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return Issuer{}, fmt.Errorf("issuer key of type %T cannot sign", key)
	}
	return Issuer{Cert: cert, Key: signer}, nil
}
