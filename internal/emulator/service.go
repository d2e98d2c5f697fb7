package emulator

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// service holds the API's rules over a storage. Its exported-looking methods
// (CreateStore, IssueWithTemplate, ...) are what the HTTP handlers and
// Bootstrap call; they take wire requests and return wire bodies or an
// *apiError ready to answer.
type service struct {
	// mu serialises every operation that reads, decides and writes, so that
	// counts and parent checks hold under concurrent requests.
	mu     sync.Mutex
	db     storage
	now    func() time.Time
	issued *issuanceCounter
	// attempts counts SIGN-mode issuance calls by the CSR's key, refused
	// ones included.
	attempts *issuanceCounter
	// appKey and baseURL make the public CRL and OCSP URLs (urls.go).
	appKey  string
	baseURL string
	// ocspCache holds signed OCSP responses until their nextUpdate
	// (ocsp.go).
	ocspCache map[ocspCacheKey]cachedOCSP
	// delegates are the OCSP responders of Ed25519 issuers, by issuer id.
	delegates map[int64]ocspResponder
	// issuers holds parsed issuer certificates and keys by id (issuerOf).
	issuers map[int64]parsedIssuer
}

// newService returns a service over db with the clock now; appKey and
// baseURL make the CRL and OCSP URLs put in certificates.
func newService(db storage, now func() time.Time, appKey, baseURL string) *service {
	return &service{db: db, now: now, issued: newIssuanceCounter(), attempts: newIssuanceCounter(), appKey: appKey, baseURL: baseURL, ocspCache: map[ocspCacheKey]cachedOCSP{}, delegates: map[int64]ocspResponder{}, issuers: map[int64]parsedIssuer{}}
}

// loadStore returns a store, or 404.
func (s *service) loadStore(id int64) (storeRecord, *apiError) {
	rec, ok, err := s.db.GetStore(id)
	if err != nil {
		return storeRecord{}, errInternal("read store", err)
	}
	if !ok || rec.Status == wire.StatusDeleted {
		return storeRecord{}, errNotFound("ca-store", id)
	}
	return rec, nil
}

// loadCert returns a certificate of a store, or 404 when the id is unknown
// or belongs to another store.
func (s *service) loadCert(storeID, id int64) (certRecord, *apiError) {
	rec, ok, err := s.db.GetCert(id)
	if err != nil {
		return certRecord{}, errInternal("read certificate", err)
	}
	if !ok || rec.StoreID != storeID {
		return certRecord{}, errNotFound("certificate", id)
	}
	return rec, nil
}

// issuerCA is a ROOT or INTERMEDIATE ready to sign.
type issuerCA struct {
	rec  certRecord
	cert *x509.Certificate
	key  crypto.Signer
}

// loadIssuer returns the issuer named by a request field (parentCertId): it
// must be a ROOT or INTERMEDIATE of the store (else 400 naming the field)
// that is neither revoked nor expired (else 409).
func (s *service) loadIssuer(storeID, id int64, field string) (issuerCA, *apiError) {
	if id == 0 {
		return issuerCA{}, errValidation(field, "required")
	}
	rec, ok, err := s.db.GetCert(id)
	if err != nil {
		return issuerCA{}, errInternal("read certificate", err)
	}
	if !ok || rec.StoreID != storeID {
		return issuerCA{}, errValidation(field, "no certificate %d in ca-store %d", id, storeID)
	}
	if rec.Type == wire.TypeLeaf {
		return issuerCA{}, errValidation(field, "certificate %d is a LEAF, not an issuer", id)
	}
	issuer, aErr := s.issuerOf(rec)
	if aErr != nil {
		return issuerCA{}, aErr
	}
	if st := certStatus(rec, issuer.cert, s.now()); st != wire.StatusActive {
		return issuerCA{}, errConflict("issuer certificate %d is %s", id, st)
	}
	return issuer, nil
}

// chainOf returns the issuers of a certificate from the direct issuer up to
// the root.
func (s *service) chainOf(rec certRecord) ([]certRecord, *apiError) {
	var chain []certRecord
	for id := rec.ParentID; id != 0; {
		if len(chain) > 16 {
			return nil, errInternal("build chain", fmt.Errorf("certificate %d: chain too long", rec.ID))
		}
		parent, ok, err := s.db.GetCert(id)
		if err != nil {
			return nil, errInternal("read certificate", err)
		}
		if !ok {
			return nil, errInternal("build chain", fmt.Errorf("issuer %d of certificate %d is missing", id, rec.ID))
		}
		chain = append(chain, parent)
		id = parent.ParentID
	}
	return chain, nil
}

// certStatus is REVOKED once revoked, EXPIRED once notAfter has passed, else
// ACTIVE.
func certStatus(rec certRecord, cert *x509.Certificate, now time.Time) string {
	switch {
	case !rec.Revoked.IsZero():
		return wire.StatusRevoked
	case now.After(cert.NotAfter):
		return wire.StatusExpired
	}
	return wire.StatusActive
}

// pemCert writes one DER certificate as PEM.
func pemCert(der []byte) string {
	var b strings.Builder
	writePEMCert(&b, der)
	return b.String()
}

// pemChain concatenates the PEM of chain, in order, leaving the root out
// when withoutRoot.
func pemChain(chain []certRecord, withoutRoot bool) string {
	var b strings.Builder
	for _, c := range chain {
		if withoutRoot && c.Type == wire.TypeRoot {
			continue
		}
		writePEMCert(&b, c.DER)
	}
	return b.String()
}

// writePEMCert appends the PEM of a DER certificate to b. It sizes b first:
// pem.EncodeToMemory grows its buffer from empty and then copies it into a
// string, which made PEM encoding a sixth of the bytes an issuance allocated.
func writePEMCert(b *strings.Builder, der []byte) {
	const armour = len("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")
	b64 := (len(der) + 2) / 3 * 4
	b.Grow(b64 + b64/64 + 1 + armour)
	_ = pem.Encode(b, &pem.Block{Type: "CERTIFICATE", Bytes: der}) // a strings.Builder does not fail
}

// matchesSearch is the list endpoints' search: a case-insensitive substring
// of any of the fields; an empty search matches everything.
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
