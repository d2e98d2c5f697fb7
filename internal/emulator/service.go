package emulator

import (
	"crypto/x509"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/nhnpca/pca-issuer/internal/emulator/ca"
	"github.com/nhnpca/pca-issuer/internal/emulator/db"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// service holds the API's rules over a storage. Its exported-looking methods
// (CreateStore, IssueWithTemplate, ...) are what the HTTP handlers and
// Bootstrap call; they take wire requests and return wire bodies or a
// domain error (errors.go).
type service struct {
	// mu serialises every operation that reads, decides and writes, so that
	// counts and parent checks hold under concurrent requests.
	mu     sync.Mutex
	db     db.Storage
	now    func() time.Time
	issued *issuanceCounter
	// attempts counts SIGN-mode issuance calls by the CSR's key, refused
	// ones included.
	attempts *issuanceCounter
	// appKey and baseURL make the public CRL and OCSP URLs (urls.go).
	appKey  string
	baseURL string
	// ca is the in-memory state of the CA: OCSP responders and responses.
	ca *ca.CA
}

// newService returns a service over data with the clock now; appKey and
// baseURL make the CRL and OCSP URLs put in certificates.
func newService(data db.Storage, now func() time.Time, appKey, baseURL string) *service {
	return &service{db: data, now: now, issued: newIssuanceCounter(), attempts: newIssuanceCounter(), appKey: appKey, baseURL: baseURL, ca: ca.New()}
}

// loadStore returns a store, or not found.
func (s *service) loadStore(id int64) (db.Store, error) {
	rec, ok, err := s.db.GetStore(id)
	if err != nil {
		return db.Store{}, fmt.Errorf("read store: %w", err)
	}
	if !ok || rec.Status == wire.StatusDeleted {
		return db.Store{}, errNotFound("ca-store", id)
	}
	return rec, nil
}

// loadCert returns a certificate of a store, or not found when the id is
// unknown or belongs to another store (docs/pca-api.md, A26).
func (s *service) loadCert(storeID, id int64) (db.Cert, error) {
	rec, ok, err := s.db.GetCert(id)
	if err != nil {
		return db.Cert{}, fmt.Errorf("read certificate: %w", err)
	}
	if !ok || rec.StoreID != storeID {
		return db.Cert{}, errNotFound("certificate", id)
	}
	return rec, nil
}

// issuerCA is a ROOT or INTERMEDIATE of the store, ready to sign.
type issuerCA struct {
	rec db.Cert
	ca.Issuer
}

// loadIssuer returns the issuer named by a request field (parentCertId): it
// must be a ROOT or INTERMEDIATE of the store (else refused naming the
// field) that is neither revoked nor expired (else a conflict)
// (docs/pca-api.md, A26, A27).
func (s *service) loadIssuer(storeID, id int64, field string) (issuerCA, error) {
	if id == 0 {
		return issuerCA{}, errValidation(field, "required")
	}
	rec, ok, err := s.db.GetCert(id)
	if err != nil {
		return issuerCA{}, fmt.Errorf("read certificate: %w", err)
	}
	if !ok || rec.StoreID != storeID {
		return issuerCA{}, errValidation(field, "no certificate %d in ca-store %d", id, storeID)
	}
	if rec.Type == wire.TypeLeaf {
		return issuerCA{}, errValidation(field, "certificate %d is a LEAF, not an issuer", id)
	}
	issuer, err := issuerOf(rec)
	if err != nil {
		return issuerCA{}, err
	}
	if st := certStatus(rec, issuer.Cert, s.now()); st != wire.StatusActive {
		return issuerCA{}, errConflict("issuer certificate %d is %s", id, st)
	}
	return issuer, nil
}

// chainOf returns the issuers of a certificate from the direct issuer up to
// the root (docs/pca-api.md, A10).
func (s *service) chainOf(rec db.Cert) ([]db.Cert, error) {
	var chain []db.Cert
	for id := rec.ParentID; id != 0; {
		if len(chain) > 16 {
			return nil, fmt.Errorf("build chain: certificate %d: chain too long", rec.ID)
		}
		parent, ok, err := s.db.GetCert(id)
		if err != nil {
			return nil, fmt.Errorf("read certificate: %w", err)
		}
		if !ok {
			return nil, fmt.Errorf("build chain: issuer %d of certificate %d is missing", id, rec.ID)
		}
		chain = append(chain, parent)
		id = parent.ParentID
	}
	return chain, nil
}

// certStatus is REVOKED once revoked, EXPIRED once notAfter has passed, else
// ACTIVE (docs/pca-api.md, A29).
func certStatus(rec db.Cert, cert *x509.Certificate, now time.Time) string {
	switch {
	case !rec.Revoked.IsZero():
		return wire.StatusRevoked
	case now.After(cert.NotAfter):
		return wire.StatusExpired
	}
	return wire.StatusActive
}

// pemChain concatenates the PEM of chain, in order, leaving the root out
// when withoutRoot.
func pemChain(chain []db.Cert, withoutRoot bool) string {
	var b strings.Builder
	for _, c := range chain {
		if withoutRoot && c.Type == wire.TypeRoot {
			continue
		}
		b.WriteString(ca.CertPEM(c.DER))
	}
	return b.String()
}

// issuerOf parses an issuer record's certificate and key.
func issuerOf(rec db.Cert) (issuerCA, error) {
	issuer, err := ca.ParseIssuer(rec.DER, rec.KeyPKCS8)
	if err != nil {
		return issuerCA{}, fmt.Errorf("issuer: %w", err)
	}
	return issuerCA{rec: rec, Issuer: issuer}, nil
}

// matchesSearch is the list endpoints' search (docs/pca-api.md, A5); an
// empty search matches everything.
func matchesSearch(search string, fields ...string) bool {
	if search == "" {
		return true
	}
	search = strings.ToLower(search)
	for _, f := range fields {
		if strings.Contains(strings.ToLower(f), search) {
			return true
		}
	}
	return false
}
