// Package db keeps the emulator's records (stores, certificates, templates,
// serial numbers, CRLs): the Storage interface, Memory in memory and Bolt in
// a bbolt file. It knows nothing of HTTP or X.509; the emulator's rules
// (package emulator) decide what is written.
package db

import (
	"time"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// Storage keeps the emulator's records: Memory in memory, Bolt in a bbolt
// file. Records go in and out by value, and lists
// are sorted by id. A lookup of an unknown id answers found=false, not an
// error; errors are backend failures. The service serialises its calls, so
// a backend needs no transactions across calls.
type Storage interface {
	// NextID returns the next id of a kind (KindStore, KindCert,
	// KindTemplate), starting at 1.
	NextID(kind string) (int64, error)

	PutStore(rec Store) error
	GetStore(id int64) (rec Store, found bool, err error)
	ListStores() ([]Store, error)

	PutCert(rec Cert) error
	GetCert(id int64) (rec Cert, found bool, err error)
	// ListCerts returns the certificates of one store.
	ListCerts(storeID int64) ([]Cert, error)

	PutTemplate(rec Template) error
	GetTemplate(id int64) (rec Template, found bool, err error)
	// ListTemplates returns the templates of one store.
	ListTemplates(storeID int64) ([]Template, error)
	// DeleteTemplate forgets a template; an unknown id is not an error.
	DeleteTemplate(id int64) error

	// PutSerial records that issuer issued serial (big-endian magnitude)
	// as certificate certID, 0 for a leaf that is not kept.
	PutSerial(issuerID int64, serial []byte, certID int64) error
	// GetSerial looks a serial of an issuer up.
	GetSerial(issuerID int64, serial []byte) (certID int64, found bool, err error)

	PutCRL(rec CRL) error
	// GetCRL returns the current CRL of an issuer certificate.
	GetCRL(issuerID int64) (rec CRL, found bool, err error)

	// Close releases the backend (the bbolt file lock).
	Close() error
}

// Id kinds of Storage.NextID.
const (
	KindStore    = "store"
	KindCert     = "cert"
	KindTemplate = "template"
)

// Store is a CA store as kept. Counts are not kept: they are computed
// from the certificates and templates when read, so they stay true.
type Store struct {
	ID                int64     `json:"id"`
	Name              string    `json:"name"`
	Description       string    `json:"description"`
	CRLActive         bool      `json:"crlActive"`
	CRLRefreshPeriod  int       `json:"crlRefreshPeriod"`
	OCSPActive        bool      `json:"ocspActive"`
	OCSPRefreshPeriod int       `json:"ocspRefreshPeriod"`
	Status            string    `json:"status"`
	Created           time.Time `json:"created"`
	CreatedBy         string    `json:"createdBy"`
	Changed           time.Time `json:"changed"`
	ChangedBy         string    `json:"changedBy"`
}

// Cert is one certificate as kept. Everything shown about it (subject,
// serial, dates, key, usages) is read back from DER, so the API can only
// tell what the certificate really says.
type Cert struct {
	ID      int64 `json:"id"`
	StoreID int64 `json:"storeId"`
	// ParentID is the issuing certificate; 0 for a ROOT.
	ParentID int64 `json:"parentId"`
	// TemplateID is the template that issued a LEAF; 0 for issuers.
	TemplateID  int64  `json:"templateId"`
	Type        string `json:"type"` // ROOT, INTERMEDIATE or LEAF
	Name        string `json:"name"`
	Description string `json:"description"`
	// DER is the certificate.
	DER []byte `json:"der"`
	// KeyPKCS8 is the private key, PKCS #8 DER, of ROOT and INTERMEDIATE
	// only; leaf keys are never kept.
	KeyPKCS8 []byte `json:"keyPkcs8,omitempty"`
	// Revoked is the revocation time; zero while not revoked.
	Revoked   time.Time `json:"revoked"`
	Created   time.Time `json:"created"`
	CreatedBy string    `json:"createdBy"`
}

// Template is a template as kept: its request with defaults filled in.
type Template struct {
	ID        int64                `json:"id"`
	StoreID   int64                `json:"storeId"`
	Request   wire.TemplateRequest `json:"request"`
	Created   time.Time            `json:"created"`
	CreatedBy string               `json:"createdBy"`
	Changed   time.Time            `json:"changed"`
	ChangedBy string               `json:"changedBy"`
}

// CRL is the current CRL of one issuer certificate.
type CRL struct {
	IssuerID int64 `json:"issuerId"`
	// Number is the CRL number (RFC 5280 5.2.3), 1 for the first CRL and
	// one more for each one after.
	Number     int64     `json:"number"`
	ThisUpdate time.Time `json:"thisUpdate"`
	NextUpdate time.Time `json:"nextUpdate"`
	// DER is the signed CRL.
	DER []byte `json:"der"`
}
