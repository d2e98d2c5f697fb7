package wire

// This file holds the X.509 vocabulary that certificate and template bodies
// share: key and signature algorithms, key usages, subject fields and OID
// values.

// Key algorithms (keyInfo.algorithm, keyAlgorithm). "ECDSA" is accepted as
// "EC".
const (
	// KeyAlgorithmRSA is RSA, of 2048, 3072 or 4096 bits.
	KeyAlgorithmRSA = "RSA"
	// KeyAlgorithmEC is ECDSA on P-224, P-256, P-384 or P-521 (keySize
	// 224, 256, 384, 521).
	KeyAlgorithmEC = "EC"
	// KeyAlgorithmECDSA is accepted on requests as KeyAlgorithmEC.
	KeyAlgorithmECDSA = "ECDSA"
	// KeyAlgorithmEd25519 is Ed25519 (RFC 8410); keySize is ignored.
	KeyAlgorithmEd25519 = "ED25519"
)

// Signature algorithms (signatureAlgorithm); each must fit the signing key.
const (
	// SHA256WithRSA is sha256WithRSAEncryption (RFC 4055).
	SHA256WithRSA = "SHA256_WITH_RSA"
	// SHA384WithRSA is sha384WithRSAEncryption (RFC 4055).
	SHA384WithRSA = "SHA384_WITH_RSA"
	// SHA512WithRSA is sha512WithRSAEncryption (RFC 4055).
	SHA512WithRSA = "SHA512_WITH_RSA"
	// SHA256WithECDSA is ecdsa-with-SHA256 (RFC 5758).
	SHA256WithECDSA = "SHA256_WITH_ECDSA"
	// SHA384WithECDSA is ecdsa-with-SHA384 (RFC 5758).
	SHA384WithECDSA = "SHA384_WITH_ECDSA"
	// SHA512WithECDSA is ecdsa-with-SHA512 (RFC 5758).
	SHA512WithECDSA = "SHA512_WITH_ECDSA"
	// SigEd25519 is Ed25519 (RFC 8410).
	SigEd25519 = "ED25519"
)

// Key usage values (keyUsage) of templates and certificates, one per bit
// of RFC 5280 section 4.2.1.3.
const (
	// KeyUsageDigitalSignature is digitalSignature.
	KeyUsageDigitalSignature = "DIGITAL_SIGNATURE"
	// KeyUsageNonRepudiation is nonRepudiation (contentCommitment).
	KeyUsageNonRepudiation = "NON_REPUDIATION"
	// KeyUsageKeyEncipherment is keyEncipherment.
	KeyUsageKeyEncipherment = "KEY_ENCIPHERMENT"
	// KeyUsageDataEncipherment is dataEncipherment.
	KeyUsageDataEncipherment = "DATA_ENCIPHERMENT"
	// KeyUsageKeyAgreement is keyAgreement.
	KeyUsageKeyAgreement = "KEY_AGREEMENT"
	// KeyUsageKeyCertSign is keyCertSign.
	KeyUsageKeyCertSign = "KEY_CERT_SIGN"
	// KeyUsageCRLSign is cRLSign.
	KeyUsageCRLSign = "CRL_SIGN"
	// KeyUsageEncipherOnly is encipherOnly.
	KeyUsageEncipherOnly = "ENCIPHER_ONLY"
	// KeyUsageDecipherOnly is decipherOnly.
	KeyUsageDecipherOnly = "DECIPHER_ONLY"
)

// Extended key usage values (extendedKeyUsage) of templates and
// certificates, the purposes of RFC 5280 section 4.2.1.12.
const (
	// ExtKeyUsageServerAuth is id-kp-serverAuth.
	ExtKeyUsageServerAuth = "SERVER_AUTHENTICATION"
	// ExtKeyUsageClientAuth is id-kp-clientAuth.
	ExtKeyUsageClientAuth = "CLIENT_AUTHENTICATION"
	// ExtKeyUsageCodeSigning is id-kp-codeSigning.
	ExtKeyUsageCodeSigning = "CODE_SIGNING"
	// ExtKeyUsageEmailProtection is id-kp-emailProtection.
	ExtKeyUsageEmailProtection = "EMAIL_PROTECTION"
	// ExtKeyUsageTimeStamping is id-kp-timeStamping.
	ExtKeyUsageTimeStamping = "TIME_STAMPING"
	// ExtKeyUsageOCSPSigning is id-kp-OCSPSigning.
	ExtKeyUsageOCSPSigning = "OCSP_SIGNING"
	// ExtKeyUsageAny is anyExtendedKeyUsage.
	ExtKeyUsageAny = "ANY_EXTENDED_KEY_USAGE"
)

// SubjectInfo is a certificate subject (RFC 5280 section 4.1.2.6). Lengths
// (docs/pca-api.md#request-limits): commonName <= 64, serialNumber <= 64, country 2 (ISO 3166),
// stateOrProvince, locality and streetAddress <= 128, postalCode <= 40,
// organization and organizationalUnit <= 64. Empty fields are left out.
type SubjectInfo struct {
	// CommonName is the CN attribute.
	CommonName string `json:"commonName,omitempty"`
	// SerialNumber is the subject's serialNumber attribute, not the
	// certificate's serial.
	SerialNumber string `json:"serialNumber,omitempty"`
	// Country is the C attribute, two letters.
	Country string `json:"country,omitempty"`
	// StateOrProvince is the ST attribute.
	StateOrProvince string `json:"stateOrProvince,omitempty"`
	// Locality is the L attribute.
	Locality string `json:"locality,omitempty"`
	// StreetAddress is the street attribute.
	StreetAddress string `json:"streetAddress,omitempty"`
	// PostalCode is the postalCode attribute.
	PostalCode string `json:"postalCode,omitempty"`
	// Organization is the O attribute.
	Organization string `json:"organization,omitempty"`
	// OrganizationalUnit is the OU attribute.
	OrganizationalUnit string `json:"organizationalUnit,omitempty"`
}

// KeyInfo names a key: RSA 2048/3072/4096, EC (or ECDSA) 224/256/384/521,
// ED25519 (keySize ignored).
type KeyInfo struct {
	// Algorithm is one of the KeyAlgorithm constants.
	Algorithm string `json:"algorithm"`
	// KeySize is the RSA modulus or the EC curve size in bits.
	KeySize int `json:"keySize,omitempty"`
}

// OidInfo is an other-name SAN or an extra subject field: an OID, an ASN.1
// string type (UTF8String, IA5String, PrintableString, BMPString,
// UniversalString) and a value of at most 255 characters.
type OidInfo struct {
	// OID is dotted decimal, e.g. "1.3.6.1.4.1.311.20.2.3".
	OID string `json:"oid"`
	// Type is the ASN.1 string type of Value.
	Type string `json:"type"`
	// Value is the text, at most 255 characters.
	Value string `json:"value"`
}
