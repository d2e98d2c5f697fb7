package pca

// TemplateRequest is the body of template create and modify. Exactly one of
// MaxTTL (seconds, 0..315,360,000) and MaxSpecificDate is set.
type TemplateRequest struct {
	Name                          string      `json:"name"`
	Description                   string      `json:"description,omitempty"`
	ParentCertID                  int64       `json:"parentCertId"`
	MaxTTL                        *int64      `json:"maxTTL,omitempty"`
	MaxSpecificDate               string      `json:"maxSpecificDate,omitempty"`
	BackDateValidation            *int64      `json:"backDateValidation,omitempty"`
	AllowIPSans                   bool        `json:"allowIpSans"`
	URLSansWhitelist              []string    `json:"urlSansWhitelist,omitempty"`
	OtherSansWhitelist            []OidInfo   `json:"otherSansWhitelist,omitempty"`
	StoreInServer                 *bool       `json:"storeInServer,omitempty"` // default true
	BasicConstraintsValidForNonCa bool        `json:"basicConstraintsValidForNonCa"`
	UseCsrCommonName              bool        `json:"useCsrCommonName"`
	UseCsrSans                    bool        `json:"useCsrSans"`
	KeyInfo                       KeyInfo     `json:"keyInfo"`
	SignatureBits                 int         `json:"signatureBits,omitempty"` // 256, 384, 512; default 256
	KeyUsage                      []string    `json:"keyUsage,omitempty"`
	ExtendedKeyUsage              []string    `json:"extendedKeyUsage,omitempty"`
	ExtendedKeyUsageOids          []string    `json:"extendedKeyUsageOids,omitempty"`
	Policies                      []string    `json:"policies,omitempty"`
	SubjectInfo                   SubjectInfo `json:"subjectInfo"`
	UseCsrOtherFields             bool        `json:"useCsrOtherFields"`
	OtherFields                   []OidInfo   `json:"otherFields,omitempty"`
}

// Template is the body of the template detail endpoint.
type Template struct {
	ID                            int64       `json:"id"`
	Name                          string      `json:"name"`
	Description                   string      `json:"description,omitempty"`
	SubjectInfo                   SubjectInfo `json:"subjectInfo"`
	KeyAlgorithm                  string      `json:"keyAlgorithm"`
	KeyLength                     int         `json:"keyLength"`
	KeyInfo                       KeyInfo     `json:"keyInfo"`
	KeyUsage                      []string    `json:"keyUsage"`
	ExtendedKeyUsage              []string    `json:"extendedKeyUsage"`
	ExtendedKeyUsageOids          []string    `json:"extendedKeyUsageOids"`
	SignatureAlgorithm            string      `json:"signatureAlgorithm"`
	IsLeaf                        bool        `json:"isLeaf"`
	SigningCertificateID          int64       `json:"signingCertificateId"`
	SigningCertificateName        string      `json:"signingCertificateName"`
	BasicConstraintsValidForNonCa bool        `json:"basicConstraintsValidForNonCa"`
	StoreInServer                 bool        `json:"storeInServer"`
	AllowIPSans                   bool        `json:"allowIpSans"`
	UseCsrCommonName              bool        `json:"useCsrCommonName"`
	UseCsrSans                    bool        `json:"useCsrSans"`
	UseCsrOtherFields             bool        `json:"useCsrOtherFields"`
	// MaxTTL is a string of seconds on the wire, e.g. "31536000"; empty when
	// the template caps by date instead.
	MaxTTL             string    `json:"maxTTL"`
	SignatureBits      int       `json:"signatureBits"`
	BackDateValidation int64     `json:"backDateValidation"`
	URLSansWhitelist   []string  `json:"urlSansWhitelist"`
	OtherSansWhitelist []OidInfo `json:"otherSansWhitelist"`
	Policies           []string  `json:"policies"`
	OtherFields        []OidInfo `json:"otherFields"`
	CreationUser       string    `json:"creationUser,omitempty"`
	CreationDatetime   DateTime  `json:"creationDatetime"`
	LastChangeUser     string    `json:"lastChangeUser,omitempty"`
	LastChangeDatetime DateTime  `json:"lastChangeDatetime"`
}

// TemplateCreated is the body of template create. Attributes is a JSON
// string holding the request fields other than name and description.
type TemplateCreated struct {
	TemplateID             int64  `json:"templateId"`
	Name                   string `json:"name"`
	Description            string `json:"description,omitempty"`
	Attributes             string `json:"attributes"`
	SigningCertificateID   int64  `json:"signingCertificateId"`
	SigningCertificateName string `json:"signingCertificateName"`
}

// TemplateSummary is one entry of the template list.
type TemplateSummary struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// TemplateList is the body of GET /templates.
type TemplateList struct {
	Templates []TemplateSummary `json:"templates"`
	Page
}

// IssueRequest is the body of POST /templates/{templateId}/certificates.
// The issuer always sends Mode SIGN with a PEM CSR.
type IssueRequest struct {
	Mode       string `json:"mode"`
	CommonName string `json:"commonName"`
	// TTLValue is the validity in seconds, 0..315,360,000; either it or
	// SpecificDate ("2025-12-31T23:59:59").
	TTLValue     int64  `json:"ttlValue,omitempty"`
	SpecificDate string `json:"specificDate,omitempty"`
	// Csr is a PEM "CERTIFICATE REQUEST", required in SIGN mode.
	Csr              string `json:"csr,omitempty"`
	Format           string `json:"format,omitempty"`
	PrivateKeyFormat string `json:"privateKeyFormat,omitempty"`
	// RemoveRootsFromChain leaves the root out of chainCertificatePem (SIGN
	// only).
	RemoveRootsFromChain      bool      `json:"removeRootsFromChain"`
	ExcludeCommonNameFromSans bool      `json:"excludeCommonNameFromSans"`
	SerialNumber              string    `json:"serialNumber,omitempty"`
	Sans                      []string  `json:"sans,omitempty"`
	IPSans                    []string  `json:"ipSans,omitempty"`
	URLSans                   []string  `json:"urlSans,omitempty"`
	OtherSans                 []OidInfo `json:"otherSans,omitempty"`
}

// Token is the JSON answer of the token endpoint
// (POST {tokenURL}/oauth2/token/create); expires_in in seconds, 60..86,400.
type Token struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
}
