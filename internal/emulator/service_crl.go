package emulator

import (
	"crypto/x509"
	"fmt"
	"time"

	"github.com/nhnpca/pca-issuer/internal/emulator/ca"
	"github.com/nhnpca/pca-issuer/internal/emulator/db"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// crlIssuer loads what signs a store's CRL: the store, and a ROOT or
// INTERMEDIATE of it, revoked and expired ones included (docs/pca-api.md,
// A35).
func (s *service) crlIssuer(storeID, issuerID int64) (db.Store, issuerCA, error) {
	store, err := s.loadStore(storeID)
	if err != nil {
		return db.Store{}, issuerCA{}, err
	}
	if !store.CRLActive {
		return db.Store{}, issuerCA{}, errConflict("ca-store %d has crlActive false: it publishes no CRL", storeID)
	}
	rec, err := s.loadCert(storeID, issuerID)
	if err != nil {
		return db.Store{}, issuerCA{}, err
	}
	if rec.Type == wire.TypeLeaf {
		return db.Store{}, issuerCA{}, errNotFound("issuer certificate", issuerID)
	}
	issuer, err := issuerOf(rec)
	if err != nil {
		return db.Store{}, issuerCA{}, err
	}
	return store, issuer, nil
}

// currentCRL returns the issuer's CRL, issuing a new one first when there is
// none yet or its nextUpdate has come: the crlRefreshPeriod re-issue is done
// when a CRL is read, which a reader cannot tell from a timer
// (docs/pca-api.md, A35).
func (s *service) currentCRL(storeID, issuerID int64) (db.CRL, error) {
	store, issuer, err := s.crlIssuer(storeID, issuerID)
	if err != nil {
		return db.CRL{}, err
	}
	rec, found, err := s.db.GetCRL(issuerID)
	if err != nil {
		return db.CRL{}, fmt.Errorf("read CRL: %w", err)
	}
	if found && s.now().Before(rec.NextUpdate) {
		return rec, nil
	}
	return s.issueCRL(store, issuer, rec.Number+1)
}

// issueCRL signs and keeps a CRL of every revoked certificate the issuer
// issued, valid crlRefreshPeriod days.
func (s *service) issueCRL(store db.Store, issuer issuerCA, number int64) (db.CRL, error) {
	certs, err := s.db.ListCerts(store.ID)
	if err != nil {
		return db.CRL{}, fmt.Errorf("list certificates: %w", err)
	}
	var revoked []x509.RevocationListEntry
	for _, c := range certs {
		if c.ParentID != issuer.rec.ID || c.Revoked.IsZero() {
			continue
		}
		cert, err := x509.ParseCertificate(c.DER)
		if err != nil {
			return db.CRL{}, fmt.Errorf("parse certificate: %w", err)
		}
		revoked = append(revoked, x509.RevocationListEntry{SerialNumber: cert.SerialNumber, RevocationTime: c.Revoked.UTC()})
	}
	// CRL times are whole seconds on the wire (RFC 5280 5.1.2.4).
	this := s.now().UTC().Truncate(time.Second)
	next := this.Add(time.Duration(store.CRLRefreshPeriod) * 24 * time.Hour)
	der, err := ca.SignCRL(issuer.Issuer, number, this, next, revoked)
	if err != nil {
		return db.CRL{}, fmt.Errorf("sign CRL: %w", err)
	}
	rec := db.CRL{IssuerID: issuer.rec.ID, Number: number, ThisUpdate: this, NextUpdate: next, DER: der}
	if err := s.db.PutCRL(rec); err != nil {
		return db.CRL{}, fmt.Errorf("write CRL: %w", err)
	}
	return rec, nil
}

// GetCRLInfo is GET /certs/{issuerCertId}/crl: the current CRL as PEM with
// its thisUpdate and nextUpdate. Errors: see crlIssuer.
func (s *service) GetCRLInfo(storeID, issuerID int64) (wire.CRLInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, err := s.currentCRL(storeID, issuerID)
	if err != nil {
		return wire.CRLInfo{}, err
	}
	return wire.CRLInfo{CRLPem: ca.CRLPEM(rec.DER), ThisUpdate: wire.NewDateTime(rec.ThisUpdate), NextUpdate: wire.NewDateTime(rec.NextUpdate)}, nil
}

// CRL returns the current CRL's DER (GET .../crl/der and .../crl/pem).
// Errors: see crlIssuer.
func (s *service) CRL(storeID, issuerID int64) ([]byte, error) {
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
func (s *service) RenewCRL(storeID, issuerID int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	store, issuer, err := s.crlIssuer(storeID, issuerID)
	if err != nil {
		return err
	}
	old, _, err := s.db.GetCRL(issuerID)
	if err != nil {
		return fmt.Errorf("read CRL: %w", err)
	}
	_, err = s.issueCRL(store, issuer, old.Number+1)
	return err
}
