package pca

// IssuerCertRequest is the body of POST /certs: a ROOT or INTERMEDIATE
// certificate whose key the server makes and keeps. LEAF certificates are
// issued only through a template.
type IssuerCertRequest struct {
	// CertificateType is ROOT or INTERMEDIATE.
	CertificateType string `json:"certificateType"`
	// ParentCertID is required for INTERMEDIATE: the issuing certificate.
	ParentCertID int64       `json:"parentCertId,omitempty"`
	Name         string      `json:"name"`
	Description  string      `json:"description,omitempty"`
	SubjectInfo  SubjectInfo `json:"subjectInfo"`
	// TTLValue is the validity in seconds, 0..315,360,000; either it or
	// SpecificDate.
	TTLValue int64 `json:"ttlValue,omitempty"`
	// SpecificDate is the expiry, "2025-12-31T23:59:59".
	SpecificDate string `json:"specificDate,omitempty"`
	// BackDateValidation moves notBefore back by this many seconds,
	// 0..2,592,000; default 30.
	BackDateValidation *int64 `json:"backDateValidation,omitempty"`
	// MaxDepth is how many CA levels may sit below this one, -1..3 (-1: no
	// limit); default 0. It becomes the basic constraints path length.
	MaxDepth                  *int      `json:"maxDepth,omitempty"`
	KeyInfo                   KeyInfo   `json:"keyInfo"`
	SignatureAlgorithm        string    `json:"signatureAlgorithm"`
	ExcludeCommonNameFromSans bool      `json:"excludeCommonNameFromSans,omitempty"`
	Sans                      []string  `json:"sans,omitempty"`
	IPSans                    []string  `json:"ipSans,omitempty"`
	URLSans                   []string  `json:"urlSans,omitempty"`
	OtherSans                 []OidInfo `json:"otherSans,omitempty"`
}

// Certificate is the detail of one certificate: the body of the detail
// endpoint, of issuer issuance and of template issuance.
type Certificate struct {
	CertificateID     int64       `json:"certificateId"`
	Name              string      `json:"name,omitempty"`
	Description       string      `json:"description,omitempty"`
	Type              string      `json:"type"`
	Status            string      `json:"status"`
	CommonName        string      `json:"commonName"`
	SerialNumber      string      `json:"serialNumber"` // upper-case hex, colon-separated
	SubjectInfo       SubjectInfo `json:"subjectInfo"`
	NotAfterDateTime  DateTime    `json:"notAfterDateTime"`
	NotBeforeDateTime DateTime    `json:"notBeforeDateTime"`
	KeyAlgorithm      string      `json:"keyAlgorithm"`
	KeyLength         int         `json:"keyLength"`
	KeyUsage          []string    `json:"keyUsage"`
	ExtendedKeyUsage  []string    `json:"extendedKeyUsage"`
	// CertificatePem is this certificate, PEM (or DER base64 / bundle per
	// the format field of template issuance).
	CertificatePem string `json:"certificatePem"`
	// ChainCertificatePem is the issuer chain as concatenated PEM blocks.
	// The emulator sends it from the direct issuer up to the root
	// (docs/pca-api.md, Emulator assumptions A10); clients must not rely on
	// the order.
	ChainCertificatePem string   `json:"chainCertificatePem"`
	SignatureAlgorithm  string   `json:"signatureAlgorithm"`
	IsLeaf              bool     `json:"isLeaf"`
	CRLURL              string   `json:"crlUrl,omitempty"`
	OCSPURL             string   `json:"ocspUrl,omitempty"`
	Policies            []string `json:"policies"`
	// ChildCertificateList is set by the detail endpoint only.
	ChildCertificateList []ChildCertificate `json:"childCertificateList,omitempty"`
	// PrivateKey is set by GENERATE-mode issuance only, returned once.
	PrivateKey string `json:"privateKey,omitempty"`
}

// ChildCertificate is one entry of Certificate.ChildCertificateList.
type ChildCertificate struct {
	CertificateID int64  `json:"certificateId"`
	Name          string `json:"name,omitempty"`
	Description   string `json:"description,omitempty"`
	CN            string `json:"cn"`
	SerialNumber  string `json:"serialNumber"`
	IsLeaf        bool   `json:"isLeaf"`
}

// CertificateListItem is one entry of the certificate list.
type CertificateListItem struct {
	ID               int64    `json:"id"`
	Name             string   `json:"name,omitempty"`
	Type             string   `json:"type"`
	CommonName       string   `json:"commonName"`
	SerialNumber     string   `json:"serialNumber"`
	Status           string   `json:"status"`
	NotBefore        DateTime `json:"notBefore"`
	NotAfter         DateTime `json:"notAfter"`
	IsLeaf           bool     `json:"isLeaf"`
	CreationDatetime DateTime `json:"creationDatetime"`
	CreationUser     string   `json:"creationUser,omitempty"`
}

// CertificateList is the body of GET /certs.
type CertificateList struct {
	ListCerts []CertificateListItem `json:"listCerts"`
	Page
}

// Certificate list filters (the type query parameter of GET /certs).
const (
	ListTypeAll    = "all"
	ListTypeIssuer = "issuer"
	ListTypeLeaf   = "leaf"
)

// RevokeResult is the body of POST /certs/{certId}/revoke.
type RevokeResult struct {
	Result             bool     `json:"result"`
	SerialNumber       string   `json:"serialNumber"`
	RevocationDatetime DateTime `json:"revocationDatetime"`
}

// CRLInfo is the body of GET /certs/{issuerCertId}/crl.
type CRLInfo struct {
	CRLPem     string   `json:"crlPem"`
	ThisUpdate DateTime `json:"thisUpdate"`
	NextUpdate DateTime `json:"nextUpdate"`
}
