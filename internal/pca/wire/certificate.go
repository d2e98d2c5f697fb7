package wire

// Certificate types (the certificateType request field and the type field).
const (
	// TypeRoot is a self-signed CA certificate.
	TypeRoot = "ROOT"
	// TypeIntermediate is a CA certificate signed by another of the store.
	TypeIntermediate = "INTERMEDIATE"
	// TypeLeaf is an end-entity certificate, issued through a template.
	TypeLeaf = "LEAF"
)

// Certificate list filters (the type query parameter of GET /certs).
const (
	// ListTypeAll lists every certificate; the server's default.
	ListTypeAll = "all"
	// ListTypeIssuer lists ROOT and INTERMEDIATE certificates.
	ListTypeIssuer = "issuer"
	// ListTypeLeaf lists LEAF certificates.
	ListTypeLeaf = "leaf"
)

// IssuerCertRequest is the body of POST /certs: a ROOT or INTERMEDIATE
// certificate whose key the server makes and keeps. LEAF certificates are
// issued only through a template.
type IssuerCertRequest struct {
	// CertificateType is ROOT or INTERMEDIATE.
	CertificateType string `json:"certificateType"`
	// ParentCertID is required for INTERMEDIATE: the issuing certificate.
	ParentCertID int64 `json:"parentCertId,omitempty"`
	// Name is at most 64 characters.
	Name string `json:"name"`
	// Description is at most 256 characters.
	Description string `json:"description,omitempty"`
	// SubjectInfo is the subject; CommonName is required.
	SubjectInfo SubjectInfo `json:"subjectInfo"`
	// TTLValue is the validity in seconds, 0..315,360,000; either it or
	// SpecificDate.
	TTLValue int64 `json:"ttlValue,omitempty"`
	// SpecificDate is the expiry as a DateTime string,
	// "2025-12-31T23:59:59".
	SpecificDate string `json:"specificDate,omitempty"`
	// BackDateValidation moves notBefore back by this many seconds,
	// 0..2,592,000; default 30.
	BackDateValidation *int64 `json:"backDateValidation,omitempty"`
	// MaxDepth is how many CA levels may sit below this one, -1..3 (-1: no
	// limit); default 0. It becomes the basic constraints path length.
	MaxDepth *int `json:"maxDepth,omitempty"`
	// KeyInfo is the key the server makes.
	KeyInfo KeyInfo `json:"keyInfo"`
	// SignatureAlgorithm is one of the signature algorithm constants; it
	// must fit the signing key (the parent's, or KeyInfo for ROOT).
	SignatureAlgorithm string `json:"signatureAlgorithm"`
	// ExcludeCommonNameFromSans keeps the Common Name out of the DNS SANs.
	ExcludeCommonNameFromSans bool `json:"excludeCommonNameFromSans,omitempty"`
	// Sans are DNS names.
	Sans []string `json:"sans,omitempty"`
	// IPSans are IPv4 or IPv6 addresses in text form.
	IPSans []string `json:"ipSans,omitempty"`
	// URLSans are URIs.
	URLSans []string `json:"urlSans,omitempty"`
	// OtherSans are otherName SANs.
	OtherSans []OidInfo `json:"otherSans,omitempty"`
}

// Certificate is the detail of one certificate: the body of the detail
// endpoint, of issuer issuance and of template issuance.
type Certificate struct {
	// CertificateID is the certId.
	CertificateID int64 `json:"certificateId"`
	// Name is the certificate's name in the store.
	Name string `json:"name,omitempty"`
	// Description is free text.
	Description string `json:"description,omitempty"`
	// Type is TypeRoot, TypeIntermediate or TypeLeaf.
	Type string `json:"type"`
	// Status is one of the Status constants.
	Status string `json:"status"`
	// CommonName is the subject's CN.
	CommonName string `json:"commonName"`
	// SerialNumber is the certificate serial as upper-case hex bytes
	// separated by colons, e.g. "12:34:AB".
	SerialNumber string `json:"serialNumber"`
	// SubjectInfo is the subject.
	SubjectInfo SubjectInfo `json:"subjectInfo"`
	// NotAfterDateTime is the end of validity.
	NotAfterDateTime DateTime `json:"notAfterDateTime"`
	// NotBeforeDateTime is the start of validity.
	NotBeforeDateTime DateTime `json:"notBeforeDateTime"`
	// KeyAlgorithm is RSA, EC or ED25519.
	KeyAlgorithm string `json:"keyAlgorithm"`
	// KeyLength is the key size in bits.
	KeyLength int `json:"keyLength"`
	// KeyUsage holds KeyUsage constants.
	KeyUsage []string `json:"keyUsage"`
	// ExtendedKeyUsage holds ExtKeyUsage constants.
	ExtendedKeyUsage []string `json:"extendedKeyUsage"`
	// CertificatePem is this certificate, PEM (or DER base64 / bundle per
	// the format field of template issuance).
	CertificatePem string `json:"certificatePem"`
	// ChainCertificatePem is the issuer chain as concatenated PEM blocks.
	// The emulator sends it from the direct issuer up to the root
	// (docs/pca-api.md, Emulator assumptions A10); clients must not rely on
	// the order.
	ChainCertificatePem string `json:"chainCertificatePem"`
	// SignatureAlgorithm is the issuer's signature algorithm.
	SignatureAlgorithm string `json:"signatureAlgorithm"`
	// IsLeaf is true for LEAF certificates.
	IsLeaf bool `json:"isLeaf"`
	// CRLURL is the CRL distribution point, when CRL was active at issue.
	CRLURL string `json:"crlUrl,omitempty"`
	// OCSPURL is the OCSP responder, when OCSP was active at issue.
	OCSPURL string `json:"ocspUrl,omitempty"`
	// Policies are certificate policy OIDs, dotted decimal.
	Policies []string `json:"policies"`
	// ChildCertificateList is set by the detail endpoint only.
	ChildCertificateList []ChildCertificate `json:"childCertificateList,omitempty"`
	// PrivateKey is set by GENERATE-mode issuance only, returned once.
	PrivateKey string `json:"privateKey,omitempty"`
}

// ChildCertificate is one entry of Certificate.ChildCertificateList: a
// certificate the detailed one signed.
type ChildCertificate struct {
	// CertificateID is the child's certId.
	CertificateID int64 `json:"certificateId"`
	// Name is the child's name in the store.
	Name string `json:"name,omitempty"`
	// Description is free text.
	Description string `json:"description,omitempty"`
	// CN is the child's Common Name.
	CN string `json:"cn"`
	// SerialNumber is colon-separated upper-case hex, as Certificate's.
	SerialNumber string `json:"serialNumber"`
	// IsLeaf is true for a LEAF child.
	IsLeaf bool `json:"isLeaf"`
}

// CertificateListItem is one entry of the certificate list.
type CertificateListItem struct {
	// ID is the certId.
	ID int64 `json:"id"`
	// Name is the certificate's name in the store.
	Name string `json:"name,omitempty"`
	// Type is TypeRoot, TypeIntermediate or TypeLeaf.
	Type string `json:"type"`
	// CommonName is the subject's CN.
	CommonName string `json:"commonName"`
	// SerialNumber is colon-separated upper-case hex, as Certificate's.
	SerialNumber string `json:"serialNumber"`
	// Status is one of the Status constants.
	Status string `json:"status"`
	// NotBefore is the start of validity.
	NotBefore DateTime `json:"notBefore"`
	// NotAfter is the end of validity.
	NotAfter DateTime `json:"notAfter"`
	// IsLeaf is true for LEAF certificates.
	IsLeaf bool `json:"isLeaf"`
	// CreationDatetime is when the certificate was issued.
	CreationDatetime DateTime `json:"creationDatetime"`
	// CreationUser is who issued it.
	CreationUser string `json:"creationUser,omitempty"`
}

// CertificateList is the body of GET /certs.
type CertificateList struct {
	// ListCerts is one page of certificates.
	ListCerts []CertificateListItem `json:"listCerts"`
	Page
}

// RevokeResult is the body of POST /certs/{certId}/revoke.
type RevokeResult struct {
	// Result is true when the certificate is revoked.
	Result bool `json:"result"`
	// SerialNumber is colon-separated upper-case hex, as Certificate's.
	SerialNumber string `json:"serialNumber"`
	// RevocationDatetime is the revocation time written into CRLs and OCSP
	// answers.
	RevocationDatetime DateTime `json:"revocationDatetime"`
}

// CertificateContentType is the Content-Type of a certificate download
// (GET /certs/{certId}/download).
const CertificateContentType = "application/x-pem-file"
