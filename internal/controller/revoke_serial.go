package controller

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
)

// maxSerialText bounds a serial number read from an annotation or a PCA
// answer: RFC 5280 section 4.1.2.2 allows 20 octets, 59 characters in the
// PCA's colon-separated spelling; anything much longer is not a serial.
const maxSerialText = 128

// pcaSerial spells a serial number as the PCA does: upper-case hex octets
// separated by colons, e.g. "0A:1B". Annotations record serials so, and
// events name them so, to match what the PCA console shows.
func pcaSerial(n *big.Int) string {
	b := n.Bytes()
	if len(b) == 0 {
		b = []byte{0}
	}
	const digits = "0123456789ABCDEF"
	out := make([]byte, 0, 3*len(b))
	for i, o := range b {
		if i > 0 {
			out = append(out, ':')
		}
		out = append(out, digits[o>>4], digits[o&0x0f])
	}
	return string(out)
}

// parseSerial reads a serial number in the PCA's spelling, tolerating
// lower case and missing colons (the PCA is untrusted input; only the value
// matters). It returns false for anything that is not a non-negative hex
// number of at most maxSerialText characters.
func parseSerial(s string) (*big.Int, bool) {
	if s == "" || len(s) > maxSerialText {
		return nil, false
	}
	n, ok := new(big.Int).SetString(strings.ReplaceAll(s, ":", ""), 16)
	if !ok || n.Sign() < 0 {
		return nil, false
	}
	return n, true
}

// sameSerial reports whether s (PCA spelling) names serial n.
func sameSerial(s string, n *big.Int) bool {
	v, ok := parseSerial(s)
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
	return pcaSerial(leaf.SerialNumber), nil
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
