package ca

import (
	"crypto/rand"
	"crypto/x509"
	"math/big"
	"time"
)

// SignCRL signs a CRL (RFC 5280 section 5) of issuer: the given number,
// thisUpdate, nextUpdate and revoked entries. It returns the DER.
func SignCRL(issuer Issuer, number int64, thisUpdate, nextUpdate time.Time, revoked []x509.RevocationListEntry) ([]byte, error) {
	return x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number:                    big.NewInt(number),
		ThisUpdate:                thisUpdate,
		NextUpdate:                nextUpdate,
		RevokedCertificateEntries: revoked,
	}, issuer.Cert, issuer.Key)
}
