package emulator

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

// curves maps the seed's EC key sizes to curves.
var curves = map[int]elliptic.Curve{
	224: elliptic.P224(),
	256: elliptic.P256(),
	384: elliptic.P384(),
	521: elliptic.P521(),
}

// generateKey makes a key pair for a keyInfo already checked by
// checkKeyInfo: RSA of keySize bits, EC on the curve of keySize bits, or
// Ed25519.
func generateKey(k wire.KeyInfo) (crypto.Signer, error) {
	switch k.Algorithm {
	case wire.KeyAlgorithmRSA:
		return rsa.GenerateKey(rand.Reader, k.KeySize)
	case wire.KeyAlgorithmEC:
		curve, ok := curves[k.KeySize]
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

// describeKey returns the keyAlgorithm (RSA, EC, ED25519) and keyLength in
// bits of a public key, as the certificate detail shows them. Unknown keys
// give ("", 0).
func describeKey(pub crypto.PublicKey) (string, int) {
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

// encodePrivateKey writes a generated key for the privateKey field of
// GENERATE-mode issuance. format (privateKeyFormat): PKCS8 is a PEM
// "PRIVATE KEY"; DER is the base64 of the PKCS #8 DER; anything else,
// including PEM, is the key's traditional PEM ("RSA PRIVATE KEY" PKCS #1,
// "EC PRIVATE KEY" SEC 1), falling back to PKCS #8 for Ed25519 which has no
// other form. Assumed: the guide does not spell out these encodings.
func encodePrivateKey(key crypto.Signer, format string) (string, error) {
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

// parseSigner reads a kept PKCS #8 DER issuer key.
func parseSigner(der []byte) (crypto.Signer, error) {
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, err
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("kept key of type %T cannot sign", key)
	}
	return signer, nil
}
