package emulator

import (
	"crypto/x509"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// sigAlg is one signatureAlgorithm of the seed: the key family it needs and
// the x509 algorithm it is.
type sigAlg struct {
	keyAlgorithm string
	x509         x509.SignatureAlgorithm
}

// signatureAlgorithms is the seed's table of signatureAlgorithm values and
// their compatible keys.
var signatureAlgorithms = map[string]sigAlg{
	wire.SHA256WithRSA:   {wire.KeyAlgorithmRSA, x509.SHA256WithRSA},
	wire.SHA384WithRSA:   {wire.KeyAlgorithmRSA, x509.SHA384WithRSA},
	wire.SHA512WithRSA:   {wire.KeyAlgorithmRSA, x509.SHA512WithRSA},
	wire.SHA256WithECDSA: {wire.KeyAlgorithmEC, x509.ECDSAWithSHA256},
	wire.SHA384WithECDSA: {wire.KeyAlgorithmEC, x509.ECDSAWithSHA384},
	wire.SHA512WithECDSA: {wire.KeyAlgorithmEC, x509.ECDSAWithSHA512},
	wire.SigEd25519:      {wire.KeyAlgorithmEd25519, x509.PureEd25519},
}

// wireSignatureAlgorithm names an x509 algorithm as the API does, or returns
// its Go name when the API has none.
func wireSignatureAlgorithm(alg x509.SignatureAlgorithm) string {
	for name, s := range signatureAlgorithms {
		if s.x509 == alg {
			return name
		}
	}
	return alg.String()
}

// templateSignatureAlgorithm is the algorithm a template signs leaves with:
// the issuer key's family with a hash of signatureBits (256, 384, 512).
// Ed25519 issuers ignore the bits (seed: "Ignored for ED25519").
func templateSignatureAlgorithm(issuerKeyAlgorithm string, bits int) string {
	for name, s := range signatureAlgorithms {
		if s.keyAlgorithm != issuerKeyAlgorithm {
			continue
		}
		if issuerKeyAlgorithm == wire.KeyAlgorithmEd25519 || hashBits(s.x509) == bits {
			return name
		}
	}
	return ""
}

// hashBits is the digest size of an RSA or ECDSA signature algorithm.
func hashBits(alg x509.SignatureAlgorithm) int {
	switch alg {
	case x509.SHA256WithRSA, x509.ECDSAWithSHA256:
		return 256
	case x509.SHA384WithRSA, x509.ECDSAWithSHA384:
		return 384
	case x509.SHA512WithRSA, x509.ECDSAWithSHA512:
		return 512
	}
	return 0
}

// signerAlgorithm returns the algorithm a parent CA signs a child with.
// Assumed: signatureAlgorithm is checked against the child's own key
// (seed: "Must match the selected key"), but the signature is the
// parent's, so when the parent's key is of another family it signs with
// its own family at the requested hash size (SHA-256 when the request was
// Ed25519).
func signerAlgorithm(requested x509.SignatureAlgorithm, signer x509.PublicKeyAlgorithm) x509.SignatureAlgorithm {
	bits := hashBits(requested)
	if bits == 0 {
		bits = 256
	}
	switch signer {
	case x509.Ed25519:
		return x509.PureEd25519
	case x509.RSA:
		return map[int]x509.SignatureAlgorithm{256: x509.SHA256WithRSA, 384: x509.SHA384WithRSA, 512: x509.SHA512WithRSA}[bits]
	case x509.ECDSA:
		return map[int]x509.SignatureAlgorithm{256: x509.ECDSAWithSHA256, 384: x509.ECDSAWithSHA384, 512: x509.ECDSAWithSHA512}[bits]
	}
	return requested
}
