package ca

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// Curves maps the EC key sizes (docs/pca-api.md, Date-times and units) to
// curves.
var Curves = map[int]elliptic.Curve{
	224: elliptic.P224(),
	256: elliptic.P256(),
	384: elliptic.P384(),
	521: elliptic.P521(),
}

// GenerateKey makes a key pair for a keyInfo already checked by
// checkKeyInfo: RSA of keySize bits, EC on the curve of keySize bits, or
// Ed25519.
func GenerateKey(k wire.KeyInfo) (crypto.Signer, error) {
	switch k.Algorithm {
	case wire.KeyAlgorithmRSA:
		return rsa.GenerateKey(rand.Reader, k.KeySize)
	case wire.KeyAlgorithmEC:
		curve, ok := Curves[k.KeySize]
		if !ok {
			return nil, fmt.Errorf("no EC curve of %d bits", k.KeySize)
		}
		return ecdsa.GenerateKey(curve, rand.Reader)
	case wire.KeyAlgorithmEd25519:
		_, key, err := ed25519.GenerateKey(rand.Reader)
		return key, err
	}
	return nil, fmt.Errorf("unknown key algorithm %q", k.Algorithm)
}

// DescribeKey returns the keyAlgorithm (RSA, EC, ED25519) and keyLength in
// bits of a public key, as the certificate detail shows them. Unknown keys
// give ("", 0).
func DescribeKey(pub crypto.PublicKey) (string, int) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return wire.KeyAlgorithmRSA, k.N.BitLen()
	case *ecdsa.PublicKey:
		return wire.KeyAlgorithmEC, k.Curve.Params().BitSize
	case ed25519.PublicKey:
		return wire.KeyAlgorithmEd25519, 256
	}
	return "", 0
}

// EncodePrivateKey writes a generated key for the privateKey field of
// GENERATE-mode issuance in the privateKeyFormat format (docs/pca-api.md,
// A25); an unknown format means PEM.
func EncodePrivateKey(key crypto.Signer, format string) (string, error) {
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", err
	}
	switch format {
	case wire.FormatPKCS8:
		return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})), nil
	case wire.FormatDER:
		return base64.StdEncoding.EncodeToString(pkcs8), nil
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})), nil
	case *ecdsa.PrivateKey:
		der, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			return "", err
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})), nil
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})), nil
}
