package emulator

import (
	"time"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// storage keeps the emulator's records: memStorage in memory, boltStorage in
// a bbolt file (Options.DataDir). Records go in and out by value, and lists
// are sorted by id. A lookup of an unknown id answers found=false, not an
// error; errors are backend failures. The service serialises its calls, so
// a backend needs no transactions across calls.
type storage interface {
	// NextID returns the next id of a kind (kindStore, kindCert,
	// kindTemplate), starting at 1.
	NextID(kind string) (int64, error)

	PutStore(rec storeRecord) error
	GetStore(id int64) (rec storeRecord, found bool, err error)
	ListStores() ([]storeRecord, error)

	PutCert(rec certRecord) error
	GetCert(id int64) (rec certRecord, found bool, err error)
	// ListCerts returns the certificates of one store.
	ListCerts(storeID int64) ([]certRecord, error)

	PutTemplate(rec templateRecord) error
	GetTemplate(id int64) (rec templateRecord, found bool, err error)
	// ListTemplates returns the templates of one store.
	ListTemplates(storeID int64) ([]templateRecord, error)
	// DeleteTemplate forgets a template; an unknown id is not an error.
	DeleteTemplate(id int64) error

	// PutSerial records that issuer issued serial (big-endian magnitude)
	// as certificate certID, 0 for a leaf that is not kept.
	PutSerial(issuerID int64, serial []byte, certID int64) error
	// GetSerial looks a serial of an issuer up.
	GetSerial(issuerID int64, serial []byte) (certID int64, found bool, err error)

	PutCRL(rec crlRecord) error
	// GetCRL returns the current CRL of an issuer certificate.
	GetCRL(issuerID int64) (rec crlRecord, found bool, err error)

	// Close releases the backend (the bbolt file lock).
	Close() error
}

// Id kinds of storage.NextID.
const (
	kindStore    = "store"
	kindCert     = "cert"
	kindTemplate = "template"
)

// storeRecord is a CA store as kept. Counts are not kept: they are computed
// from the certificates and templates when read, so they stay true.
type storeRecord struct {
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

// certRecord is one certificate as kept. Everything shown about it (subject,
// serial, dates, key, usages) is read back from DER, so the API can only
// tell what the certificate really says.
type certRecord struct {
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

// templateRecord is a template as kept: its request with defaults filled in.
type templateRecord struct {
	ID        int64                `json:"id"`
	StoreID   int64                `json:"storeId"`
	Request   wire.TemplateRequest `json:"request"`
	Created   time.Time            `json:"created"`
	CreatedBy string               `json:"createdBy"`
	Changed   time.Time            `json:"changed"`
	ChangedBy string               `json:"changedBy"`
}

// crlRecord is the current CRL of one issuer certificate.
type crlRecord struct {
	IssuerID int64 `json:"issuerId"`
	// Number is the CRL number (RFC 5280 5.2.3), 1 for the first CRL and
	// one more for each one after.
	Number     int64     `json:"number"`
	ThisUpdate time.Time `json:"thisUpdate"`
	NextUpdate time.Time `json:"nextUpdate"`
	// DER is the signed CRL.
	DER []byte `json:"der"`
}
