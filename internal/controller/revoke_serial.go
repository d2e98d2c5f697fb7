package controller

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"math/big"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// sameSerial reports whether s (PCA spelling) names serial n.
func sameSerial(s string, n *big.Int) bool {
	v, ok := wire.ParseSerial(s)
	return ok && n != nil && v.Cmp(n) == 0
}

// leafSerialOf returns the serial number, in the PCA's spelling, of the
// first certificate of a PEM chain.
func leafSerialOf(chainPEM []byte) (string, error) {
	der, err := firstCertificateDER(chainPEM)
	if err != nil {
		return "", err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return "", err
	}
	return wire.FormatSerial(leaf.SerialNumber), nil
}

// firstCertificateDER returns the DER of the first PEM CERTIFICATE block
// of data.
func firstCertificateDER(data []byte) ([]byte, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("no PEM CERTIFICATE block")
	}
	return block.Bytes, nil
}
