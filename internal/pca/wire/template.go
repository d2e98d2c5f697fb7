package wire

import "time"

// Issuance modes of a template (the mode request field).
const (
	// ModeGenerate: the server makes the key pair and returns privateKey once.
	ModeGenerate = "GENERATE"
	// ModeSign: the client sends a PEM CSR; the only mode the issuer uses.
	ModeSign = "SIGN"
)

// Output formats of template issuance (format and privateKeyFormat);
// unknown values fall back to PEM.
const (
	// FormatPEM is PEM text; the default.
	FormatPEM = "PEM"
	// FormatDER is DER, base64 in JSON.
	FormatDER = "DER"
	// FormatPEMBundle is the certificate and its chain as one PEM text
	// (format only).
	FormatPEMBundle = "PEM_BUNDLE"
	// FormatPKCS8 is a PKCS #8 private key (privateKeyFormat only).
	FormatPKCS8 = "PKCS8"
)

// MaxBackDate is the largest backDateValidation a template or an issuer
// certificate may set (docs/pca-api.md#request-limits: 0..2,592,000 s). A certificate's notBefore is
// its issue time minus the backdating, so the issue time is at most this
// much after notBefore.
const MaxBackDate = 2_592_000 * time.Second

// TemplateRequest is the body of template create and modify (POST
// /templates and PUT /templates/{templateId}). Exactly one of MaxTTL and
// MaxSpecificDate is set.
type TemplateRequest struct {
	// Name is at most 64 characters.
	Name string `json:"name"`
	// Description is at most 256 characters.
	Description string `json:"description,omitempty"`
	// ParentCertID is the issuer certificate (ROOT or INTERMEDIATE) that
	// signs the template's certificates.
	ParentCertID int64 `json:"parentCertId"`
	// MaxTTL caps ttlValue, in seconds, 0..315,360,000.
	MaxTTL *int64 `json:"maxTTL,omitempty"`
	// MaxSpecificDate caps the expiry as a DateTime string,
	// "2025-12-31T23:59:59".
	MaxSpecificDate string `json:"maxSpecificDate,omitempty"`
	// BackDateValidation moves notBefore back by this many seconds,
	// 0..2,592,000 (MaxBackDate); default 30.
	BackDateValidation *int64 `json:"backDateValidation,omitempty"`
	// AllowIPSans lets requests carry IP SANs.
	AllowIPSans bool `json:"allowIpSans"`
	// URLSansWhitelist are the URI SANs a request may carry.
	URLSansWhitelist []string `json:"urlSansWhitelist,omitempty"`
	// OtherSansWhitelist are the otherName SANs a request may carry.
	OtherSansWhitelist []OidInfo `json:"otherSansWhitelist,omitempty"`
	// StoreInServer keeps issued certificates in the store; default true.
	StoreInServer *bool `json:"storeInServer,omitempty"`
	// BasicConstraintsValidForNonCa writes basic constraints (CA false)
	// into leaves.
	BasicConstraintsValidForNonCa bool `json:"basicConstraintsValidForNonCa"`
	// UseCsrCommonName takes the Common Name from the CSR.
	UseCsrCommonName bool `json:"useCsrCommonName"`
	// UseCsrSans takes the SANs from the CSR.
	UseCsrSans bool `json:"useCsrSans"`
	// KeyInfo is the key a request's CSR must carry.
	KeyInfo KeyInfo `json:"keyInfo"`
	// SignatureBits is the hash size, 256, 384 or 512; default 256;
	// ignored for ED25519.
	SignatureBits int `json:"signatureBits,omitempty"`
	// KeyUsage holds KeyUsage constants.
	KeyUsage []string `json:"keyUsage,omitempty"`
	// ExtendedKeyUsage holds ExtKeyUsage constants.
	ExtendedKeyUsage []string `json:"extendedKeyUsage,omitempty"`
	// ExtendedKeyUsageOids are further extended key usages, dotted decimal.
	ExtendedKeyUsageOids []string `json:"extendedKeyUsageOids,omitempty"`
	// Policies are certificate policy OIDs, dotted decimal.
	Policies []string `json:"policies,omitempty"`
	// SubjectInfo are subject fields set on every certificate.
	SubjectInfo SubjectInfo `json:"subjectInfo"`
	// UseCsrOtherFields takes further subject fields from the CSR.
	UseCsrOtherFields bool `json:"useCsrOtherFields"`
	// OtherFields are further subject fields set on every certificate.
	OtherFields []OidInfo `json:"otherFields,omitempty"`
}

// Template is the body of the template detail endpoint. The fields that
// TemplateRequest also has mean the same; the others are described here.
type Template struct {
	// ID is the templateId.
	ID int64 `json:"id"`
	// Name is at most 64 characters.
	Name string `json:"name"`
	// Description is at most 256 characters.
	Description string `json:"description,omitempty"`
	// SubjectInfo are subject fields set on every certificate.
	SubjectInfo SubjectInfo `json:"subjectInfo"`
	// KeyAlgorithm is KeyInfo.Algorithm.
	KeyAlgorithm string `json:"keyAlgorithm"`
	// KeyLength is KeyInfo.KeySize, in bits.
	KeyLength int `json:"keyLength"`
	// KeyInfo is the key a request's CSR must carry.
	KeyInfo KeyInfo `json:"keyInfo"`
	// KeyUsage holds KeyUsage constants.
	KeyUsage []string `json:"keyUsage"`
	// ExtendedKeyUsage holds ExtKeyUsage constants.
	ExtendedKeyUsage []string `json:"extendedKeyUsage"`
	// ExtendedKeyUsageOids are further extended key usages, dotted decimal.
	ExtendedKeyUsageOids []string `json:"extendedKeyUsageOids"`
	// SignatureAlgorithm is what the signing certificate signs with.
	SignatureAlgorithm string `json:"signatureAlgorithm"`
	// IsLeaf is true for a template that issues leaf certificates.
	IsLeaf bool `json:"isLeaf"`
	// SigningCertificateID is the issuer certificate that signs.
	SigningCertificateID int64 `json:"signingCertificateId"`
	// SigningCertificateName is its name.
	SigningCertificateName string `json:"signingCertificateName"`
	// BasicConstraintsValidForNonCa: see TemplateRequest.
	BasicConstraintsValidForNonCa bool `json:"basicConstraintsValidForNonCa"`
	// StoreInServer: see TemplateRequest.
	StoreInServer bool `json:"storeInServer"`
	// AllowIPSans: see TemplateRequest.
	AllowIPSans bool `json:"allowIpSans"`
	// UseCsrCommonName: see TemplateRequest.
	UseCsrCommonName bool `json:"useCsrCommonName"`
	// UseCsrSans: see TemplateRequest.
	UseCsrSans bool `json:"useCsrSans"`
	// UseCsrOtherFields: see TemplateRequest.
	UseCsrOtherFields bool `json:"useCsrOtherFields"`
	// MaxTTL is a string of seconds on the wire, e.g. "31536000"; empty when
	// the template caps by date instead.
	MaxTTL string `json:"maxTTL"`
	// SignatureBits is the hash size, 256, 384 or 512.
	SignatureBits int `json:"signatureBits"`
	// BackDateValidation is in seconds, 0..2,592,000 (MaxBackDate).
	BackDateValidation int64 `json:"backDateValidation"`
	// URLSansWhitelist: see TemplateRequest.
	URLSansWhitelist []string `json:"urlSansWhitelist"`
	// OtherSansWhitelist: see TemplateRequest.
	OtherSansWhitelist []OidInfo `json:"otherSansWhitelist"`
	// Policies: see TemplateRequest.
	Policies []string `json:"policies"`
	// OtherFields: see TemplateRequest.
	OtherFields []OidInfo `json:"otherFields"`
	// CreationUser is who created the template.
	CreationUser string `json:"creationUser,omitempty"`
	// CreationDatetime is when.
	CreationDatetime DateTime `json:"creationDatetime"`
	// LastChangeUser is who changed it last.
	LastChangeUser string `json:"lastChangeUser,omitempty"`
	// LastChangeDatetime is when.
	LastChangeDatetime DateTime `json:"lastChangeDatetime"`
}

// TemplateCreated is the body of template create.
type TemplateCreated struct {
	// TemplateID is the new templateId.
	TemplateID int64 `json:"templateId"`
	// Name is the template's name.
	Name string `json:"name"`
	// Description is the template's description.
	Description string `json:"description,omitempty"`
	// Attributes is a JSON string holding the request fields other than
	// name and description.
	Attributes string `json:"attributes"`
	// SigningCertificateID is the issuer certificate that signs.
	SigningCertificateID int64 `json:"signingCertificateId"`
	// SigningCertificateName is its name.
	SigningCertificateName string `json:"signingCertificateName"`
}

// TemplateSummary is one entry of the template list.
type TemplateSummary struct {
	// ID is the templateId.
	ID int64 `json:"id"`
	// Name is the template's name.
	Name string `json:"name"`
	// Description is the template's description.
	Description string `json:"description,omitempty"`
}

// TemplateList is the body of GET /templates.
type TemplateList struct {
	// Templates is one page of templates.
	Templates []TemplateSummary `json:"templates"`
	Page
}

// IssueRequest is the body of POST /templates/{templateId}/certificates.
// The issuer always sends Mode SIGN with a PEM CSR.
type IssueRequest struct {
	// Mode is ModeSign or ModeGenerate.
	Mode string `json:"mode"`
	// CommonName is at most 64 characters.
	CommonName string `json:"commonName"`
	// TTLValue is the validity in seconds, 0..315,360,000; either it or
	// SpecificDate.
	TTLValue int64 `json:"ttlValue,omitempty"`
	// SpecificDate is the expiry as a DateTime string,
	// "2025-12-31T23:59:59".
	SpecificDate string `json:"specificDate,omitempty"`
	// Csr is a PEM "CERTIFICATE REQUEST", required in SIGN mode.
	Csr string `json:"csr,omitempty"`
	// Format is the certificate's format: FormatPEM, FormatDER or
	// FormatPEMBundle.
	Format string `json:"format,omitempty"`
	// PrivateKeyFormat is FormatPEM, FormatDER or FormatPKCS8 (GENERATE
	// only).
	PrivateKeyFormat string `json:"privateKeyFormat,omitempty"`
	// RemoveRootsFromChain leaves the root out of chainCertificatePem (SIGN
	// only).
	RemoveRootsFromChain bool `json:"removeRootsFromChain"`
	// ExcludeCommonNameFromSans keeps the Common Name out of the DNS SANs.
	ExcludeCommonNameFromSans bool `json:"excludeCommonNameFromSans"`
	// SerialNumber is the subject's serialNumber attribute, at most 64
	// characters; not the certificate's serial.
	SerialNumber string `json:"serialNumber,omitempty"`
	// Sans are DNS names.
	Sans []string `json:"sans,omitempty"`
	// IPSans are IPv4 or IPv6 addresses in text form.
	IPSans []string `json:"ipSans,omitempty"`
	// URLSans are URIs.
	URLSans []string `json:"urlSans,omitempty"`
	// OtherSans are otherName SANs.
	OtherSans []OidInfo `json:"otherSans,omitempty"`
}
