package pca

// This file holds the JSON bodies of the API, named as on the wire and
// described in docs/pca-api.md. Optional request numbers whose zero is a
// valid value (for example backDateValidation 0 or maxDepth -1) are
// pointers so that "unset" and "zero" differ.

// Header is the "header" object of every JSON response envelope.
type Header struct {
	// ResultCode is 0 on success and non-zero on failure.
	ResultCode int `json:"resultCode"`
	// ResultMessage is "SUCCESS" or a human-readable reason.
	ResultMessage string `json:"resultMessage"`
	// IsSuccessful is false on every failure, even under HTTP 200.
	IsSuccessful bool `json:"isSuccessful"`
}

// Envelope is the JSON response of every endpoint other than the downloads,
// CRL files and OCSP: {"header": {...}, "body": T}.
type Envelope[T any] struct {
	Header Header `json:"header"`
	Body   T      `json:"body"`
}

// Certificate types (the certificateType request field and the type field).
const (
	TypeRoot         = "ROOT"
	TypeIntermediate = "INTERMEDIATE"
	TypeLeaf         = "LEAF"
)

// Issuance modes of a template (the mode request field).
const (
	// ModeGenerate: the server makes the key pair and returns privateKey once.
	ModeGenerate = "GENERATE"
	// ModeSign: the client sends a PEM CSR; the only mode the issuer uses.
	ModeSign = "SIGN"
)

// Status values of stores and certificates.
const (
	StatusActive   = "ACTIVE"
	StatusInactive = "INACTIVE"
	StatusRevoked  = "REVOKED"
	StatusExpired  = "EXPIRED"
	StatusDeleted  = "DELETED"
)

// Key algorithms (keyInfo.algorithm). "ECDSA" is accepted as "EC".
const (
	KeyAlgorithmRSA     = "RSA"
	KeyAlgorithmEC      = "EC"
	KeyAlgorithmECDSA   = "ECDSA"
	KeyAlgorithmEd25519 = "ED25519"
)

// Signature algorithms (signatureAlgorithm); each must fit the key.
const (
	SHA256WithRSA   = "SHA256_WITH_RSA"
	SHA384WithRSA   = "SHA384_WITH_RSA"
	SHA512WithRSA   = "SHA512_WITH_RSA"
	SHA256WithECDSA = "SHA256_WITH_ECDSA"
	SHA384WithECDSA = "SHA384_WITH_ECDSA"
	SHA512WithECDSA = "SHA512_WITH_ECDSA"
	SigEd25519      = "ED25519"
)

// Key usage values of templates (RFC 5280 4.2.1.3).
const (
	KeyUsageDigitalSignature = "DIGITAL_SIGNATURE"
	KeyUsageNonRepudiation   = "NON_REPUDIATION"
	KeyUsageKeyEncipherment  = "KEY_ENCIPHERMENT"
	KeyUsageDataEncipherment = "DATA_ENCIPHERMENT"
	KeyUsageKeyAgreement     = "KEY_AGREEMENT"
	KeyUsageKeyCertSign      = "KEY_CERT_SIGN"
	KeyUsageCRLSign          = "CRL_SIGN"
	KeyUsageEncipherOnly     = "ENCIPHER_ONLY"
	KeyUsageDecipherOnly     = "DECIPHER_ONLY"
)

// Extended key usage values of templates (RFC 5280 4.2.1.12).
const (
	ExtKeyUsageServerAuth      = "SERVER_AUTHENTICATION"
	ExtKeyUsageClientAuth      = "CLIENT_AUTHENTICATION"
	ExtKeyUsageCodeSigning     = "CODE_SIGNING"
	ExtKeyUsageEmailProtection = "EMAIL_PROTECTION"
	ExtKeyUsageTimeStamping    = "TIME_STAMPING"
	ExtKeyUsageOCSPSigning     = "OCSP_SIGNING"
	ExtKeyUsageAny             = "ANY_EXTENDED_KEY_USAGE"
)

// Output formats of template issuance (format); unknown values fall back to PEM.
const (
	FormatPEM       = "PEM"
	FormatDER       = "DER"
	FormatPEMBundle = "PEM_BUNDLE"
	FormatPKCS8     = "PKCS8" // privateKeyFormat only
)

// SubjectInfo is a certificate subject. Lengths in characters
// (docs/pca-api.md#request-limits): commonName <= 64, serialNumber <= 64,
// country 2 (ISO 3166), stateOrProvince, locality and streetAddress <= 128,
// postalCode <= 40, organization and organizationalUnit <= 64.
type SubjectInfo struct {
	CommonName         string `json:"commonName,omitempty"`
	SerialNumber       string `json:"serialNumber,omitempty"`
	Country            string `json:"country,omitempty"`
	StateOrProvince    string `json:"stateOrProvince,omitempty"`
	Locality           string `json:"locality,omitempty"`
	StreetAddress      string `json:"streetAddress,omitempty"`
	PostalCode         string `json:"postalCode,omitempty"`
	Organization       string `json:"organization,omitempty"`
	OrganizationalUnit string `json:"organizationalUnit,omitempty"`
}

// KeyInfo names a key: RSA 2048/3072/4096, EC (or ECDSA) 224/256/384/521,
// ED25519 (keySize ignored).
type KeyInfo struct {
	Algorithm string `json:"algorithm"`
	KeySize   int    `json:"keySize,omitempty"`
}

// OidInfo is an other-name SAN or an extra subject field: an OID, an ASN.1
// string type (UTF8String, IA5String, PrintableString, BMPString,
// UniversalString) and a value of at most 255 characters.
type OidInfo struct {
	OID   string `json:"oid"`
	Type  string `json:"type"`
	Value string `json:"value"`
}

// Page is the paging part of every list response. Pages start at 0.
type Page struct {
	TotalCnt      int `json:"totalCnt"`
	TotalPageNo   int `json:"totalPageNo"`
	CurrentPageNo int `json:"currentPageNo"`
}

// ListOptions are the query parameters of the list endpoints: page (from 0),
// size (default 10) and search (its field depends on the endpoint).
type ListOptions struct {
	Page   int
	Size   int
	Search string
}
