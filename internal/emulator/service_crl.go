package emulator

import (
	"crypto/x509"
	"encoding/pem"
	"time"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// crlIssuer loads what signs a store's CRL: the store (404; 409 while its
// crlActive is false, assumed) and a ROOT or INTERMEDIATE of it (404 for an
// unknown id or a LEAF). Revoked and expired issuers still sign their CRL.
func (s *service) crlIssuer(storeID, issuerID int64) (storeRecord, issuerCA, *apiError) {
	store, err := s.loadStore(storeID)
	if err != nil {
		return storeRecord{}, issuerCA{}, err
	}
	if !store.CRLActive {
		return storeRecord{}, issuerCA{}, errConflict("ca-store %d has crlActive false: it publishes no CRL", storeID)
	}
	rec, err := s.loadCert(storeID, issuerID)
	if err != nil {
		return storeRecord{}, issuerCA{}, err
	}
	if rec.Type == wire.TypeLeaf {
		return storeRecord{}, issuerCA{}, errNotFound("issuer certificate", issuerID)
	}
	issuer, err := s.issuerOf(rec)
	if err != nil {
		return storeRecord{}, issuerCA{}, err
	}
	return store, issuer, nil
}

// currentCRL returns the issuer's CRL, issuing a new one first when there is
// none yet or its nextUpdate has come: the crlRefreshPeriod re-issue is done
// lazily, when a CRL is read, which a reader cannot tell from a timer.
func (s *service) currentCRL(storeID, issuerID int64) (crlRecord, *apiError) {
	store, issuer, err := s.crlIssuer(storeID, issuerID)
	if err != nil {
		return crlRecord{}, err
	}
	rec, found, dbErr := s.db.GetCRL(issuerID)
	if dbErr != nil {
		return crlRecord{}, errInternal("read CRL", dbErr)
	}
	if found && s.now().Before(rec.NextUpdate) {
		return rec, nil
	}
	return s.issueCRL(store, issuer, rec.Number+1)
}

// issueCRL signs and keeps a CRL of every revoked certificate the issuer
// issued, valid crlRefreshPeriod days.
func (s *service) issueCRL(store storeRecord, issuer issuerCA, number int64) (crlRecord, *apiError) {
	certs, err := s.db.ListCerts(store.ID)
	if err != nil {
		return crlRecord{}, errInternal("list certificates", err)
	}
	var revoked []x509.RevocationListEntry
	for _, c := range certs {
		if c.ParentID != issuer.rec.ID || c.Revoked.IsZero() {
			continue
		}
		cert, err := x509.ParseCertificate(c.DER)
		if err != nil {
			return crlRecord{}, errInternal("parse certificate", err)
		}
		revoked = append(revoked, x509.RevocationListEntry{SerialNumber: cert.SerialNumber, RevocationTime: c.Revoked.UTC()})
	}
	// CRL times are whole seconds on the wire (RFC 5280 5.1.2.4).
	this := s.now().UTC().Truncate(time.Second)
	next := this.Add(time.Duration(store.CRLRefreshPeriod) * 24 * time.Hour)
	der, signErr := makeCRL(issuer.cert, issuer.key, number, this, next, revoked)
	if signErr != nil {
		return crlRecord{}, errInternal("sign CRL", signErr)
	}
	rec := crlRecord{IssuerID: issuer.rec.ID, Number: number, ThisUpdate: this, NextUpdate: next, DER: der}
	if err := s.db.PutCRL(rec); err != nil {
		return crlRecord{}, errInternal("write CRL", err)
	}
	return rec, nil
}

// GetCRLInfo is GET /certs/{issuerCertId}/crl: the current CRL as PEM with
// its thisUpdate and nextUpdate. Errors: see crlIssuer.
func (s *service) GetCRLInfo(storeID, issuerID int64) (wire.CRLInfo, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, err := s.currentCRL(storeID, issuerID)
	if err != nil {
		return wire.CRLInfo{}, err
	}
	return wire.CRLInfo{CRLPem: crlPEM(rec.DER), ThisUpdate: wire.NewDateTime(rec.ThisUpdate), NextUpdate: wire.NewDateTime(rec.NextUpdate)}, nil
}

// CRL returns the current CRL's DER (GET .../crl/der and .../crl/pem).
// Errors: see crlIssuer.
func (s *service) CRL(storeID, issuerID int64) ([]byte, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, err := s.currentCRL(storeID, issuerID)
	if err != nil {
		return nil, err
	}
	return rec.DER, nil
}

// RenewCRL is POST /certs/{issuerCertId}/crl: a new CRL now, with the next
// number, whatever the old one's nextUpdate. Errors: see crlIssuer.
func (s *service) RenewCRL(storeID, issuerID int64) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	store, issuer, err := s.crlIssuer(storeID, issuerID)
	if err != nil {
		return err
	}
	old, _, dbErr := s.db.GetCRL(issuerID)
	if dbErr != nil {
		return errInternal("read CRL", dbErr)
	}
	_, err = s.issueCRL(store, issuer, old.Number+1)
	return err
}

// crlPEM writes a DER CRL as a PEM "X509 CRL" block.
func crlPEM(der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}))
}
