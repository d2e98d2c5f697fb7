package signer

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"fmt"
	"strings"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

// keyKind is a key's algorithm and size as a template's keyInfo names them:
// algorithm is wire.KeyAlgorithmRSA, wire.KeyAlgorithmEC or
// wire.KeyAlgorithmEd25519; bits is the RSA modulus length or the EC curve's
// size (224, 256, 384, 521); 0 for Ed25519, which has one size.
type keyKind struct {
	algorithm string
	bits      int
}

// String names the kind as users read it: "RSA 2048", "EC P-256",
// "Ed25519".
func (k keyKind) String() string {
	switch k.algorithm {
	case wire.KeyAlgorithmRSA:
		return fmt.Sprintf("RSA %d", k.bits)
	case wire.KeyAlgorithmEC:
		return fmt.Sprintf("EC P-%d", k.bits)
	case wire.KeyAlgorithmEd25519:
		return "Ed25519"
	case "":
		return "no keyInfo"
	}
	return fmt.Sprintf("%s %d", k.algorithm, k.bits)
}

// kindOfKey returns the kind of a public key; false for a key type no
// template can take (anything but RSA, ECDSA and Ed25519).
func kindOfKey(pub crypto.PublicKey) (keyKind, bool) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return keyKind{wire.KeyAlgorithmRSA, k.N.BitLen()}, true
	case *ecdsa.PublicKey:
		return keyKind{wire.KeyAlgorithmEC, k.Curve.Params().BitSize}, true
	case ed25519.PublicKey:
		return keyKind{algorithm: wire.KeyAlgorithmEd25519}, true
	}
	return keyKind{}, false
}

// kindOfTemplate returns the key kind of a template's keyInfo, falling back
// to its keyAlgorithm and keyLength when keyInfo is empty. "ECDSA" is read
// as "EC" and Ed25519's keySize is ignored (docs/pca-api.md#date-times-and-units).
func kindOfTemplate(tmpl *wire.Template) keyKind {
	if tmpl == nil {
		return keyKind{}
	}
	k := keyKind{strings.ToUpper(strings.TrimSpace(tmpl.KeyInfo.Algorithm)), tmpl.KeyInfo.KeySize}
	if k.algorithm == "" {
		k = keyKind{strings.ToUpper(strings.TrimSpace(tmpl.KeyAlgorithm)), tmpl.KeyLength}
	}
	switch k.algorithm {
	case wire.KeyAlgorithmECDSA:
		k.algorithm = wire.KeyAlgorithmEC
	case wire.KeyAlgorithmEd25519:
		k.bits = 0
	}
	return k
}

// DescribeKey names a public key's algorithm and size for messages:
// "RSA 2048", "EC P-256", "Ed25519", or its Go type when it is none of
// those.
func DescribeKey(pub crypto.PublicKey) string {
	if k, ok := kindOfKey(pub); ok {
		return k.String()
	}
	return fmt.Sprintf("an unsupported %T key", pub)
}

// DescribeKeyInfo names a template's keyInfo in the words of DescribeKey:
// "RSA 2048", "EC P-384", "Ed25519"; "no keyInfo" when the template has
// none.
func DescribeKeyInfo(tmpl *wire.Template) string {
	return kindOfTemplate(tmpl).String()
}

// KeyFits reports whether the PCA signs a CSR carrying pub with tmpl: the
// algorithms match, and an EC key is on the keyInfo's curve while an RSA key
// has at least keySize bits. Ed25519 has one size. The PCA's guide does not
// say how it holds a CSR's key to keyInfo; this is the rule the emulator
// assumes (docs/pca-api.md, Emulator assumptions A20: Vault-style key_bits
// as a floor for RSA), see docs/limits.md.
func KeyFits(pub crypto.PublicKey, tmpl *wire.Template) bool {
	key, ok := kindOfKey(pub)
	if !ok {
		return false
	}
	want := kindOfTemplate(tmpl)
	if key.algorithm != want.algorithm {
		return false
	}
	switch key.algorithm {
	case wire.KeyAlgorithmRSA:
		return key.bits >= want.bits
	case wire.KeyAlgorithmEC:
		return key.bits == want.bits
	}
	return true
}

// KeyFitsExactly reports a fit of the same size: KeyFits, and an RSA key
// of exactly keySize bits (EC and Ed25519 fits are always exact).
func KeyFitsExactly(pub crypto.PublicKey, tmpl *wire.Template) bool {
	key, _ := kindOfKey(pub)
	return KeyFits(pub, tmpl) && (key.algorithm != wire.KeyAlgorithmRSA || key.bits == kindOfTemplate(tmpl).bits)
}

// ChooseTemplate returns the template that signs a CSR carrying pub: the
// first of candidates (in order; nil entries are skipped) whose keyInfo
// matches the key exactly, else the first that KeyFits (an RSA key longer
// than keySize). The controller passes spec.templateId first, then
// spec.allowedTemplateIds in list order.
//
// When none fits it returns a *PermanentError with v1alpha1.ReasonNoTemplateForKey
// naming the CSR's key and each candidate's id and keyInfo, so that no
// issuance call is made for a request the PCA would refuse.
func ChooseTemplate(pub crypto.PublicKey, candidates []*wire.Template) (*wire.Template, error) {
	var fallback *wire.Template
	for _, tmpl := range candidates {
		if tmpl == nil {
			continue
		}
		if KeyFitsExactly(pub, tmpl) {
			return tmpl, nil
		}
		if fallback == nil && KeyFits(pub, tmpl) {
			fallback = tmpl
		}
	}
	if fallback != nil {
		return fallback, nil
	}
	return nil, NoTemplateForKey(pub, candidates)
}

// CSRPublicKey returns the public key of spec.request (one PEM CERTIFICATE
// REQUEST whose signature verifies); a *PermanentError with
// v1alpha1.ReasonInvalidCSR otherwise.
func CSRPublicKey(csrPEM []byte) (crypto.PublicKey, error) {
	csr, _, err := parseCSR(csrPEM)
	if err != nil {
		return nil, err
	}
	return csr.PublicKey, nil
}

// NoTemplateForKey is the *PermanentError (v1alpha1.ReasonNoTemplateForKey) of a
// CSR whose key fits none of candidates: it names the key and each
// candidate's id and keyInfo.
func NoTemplateForKey(pub crypto.PublicKey, candidates []*wire.Template) *PermanentError {
	var listed []string
	for _, tmpl := range candidates {
		if tmpl != nil {
			listed = append(listed, fmt.Sprintf("template %d (%s)", tmpl.ID, DescribeKeyInfo(tmpl)))
		}
	}
	templates := "no template"
	if len(listed) > 0 {
		templates = strings.Join(listed, ", ")
	}
	return permanent(v1alpha1.ReasonNoTemplateForKey, fmt.Sprintf(
		"the CSR's key is %s, and no template of the issuer takes it: %s; request a key one of them takes "+
			"(the Certificate's spec.privateKey), or add a template whose keyInfo is %s to the issuer's spec.allowedTemplateIds",
		DescribeKey(pub), templates, DescribeKey(pub)), nil)
}
