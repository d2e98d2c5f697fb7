package emulator

import (
	"fmt"
	"math/big"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/nhnpca/pca-issuer/internal/emulator/ca"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// OCSP answers a DER OCSP request (RFC 6960) for a store with a DER OCSP
// response (docs/pca-api.md, OCSP and A36): malformedRequest for a request
// that does not parse; unauthorized for a store with ocspActive false or an
// issuer not of the store; else the issuer's answer about the serial, kept
// until its nextUpdate. Only an unknown store is an error (not found).
func (s *service) OCSP(storeID int64, der []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	store, err := s.loadStore(storeID)
	if err != nil {
		return nil, err
	}
	req, err := ocsp.ParseRequest(der)
	if err != nil {
		return ocsp.MalformedRequestErrorResponse, nil
	}
	if !store.OCSPActive {
		return ocsp.UnauthorizedErrorResponse, nil
	}
	issuer, found, err := s.ocspIssuer(storeID, req)
	if err != nil {
		return nil, err
	}
	if !found {
		return ocsp.UnauthorizedErrorResponse, nil
	}
	now := s.now()
	if resp, ok := s.ca.CachedOCSP(issuer.rec.ID, req.SerialNumber, now); ok {
		return resp, nil
	}
	st, err := s.serialStatus(issuer.rec.ID, req.SerialNumber)
	if err != nil {
		return nil, err
	}
	resp, err := s.ca.SignOCSP(issuer.rec.ID, issuer.Issuer, req, st, now, time.Duration(store.OCSPRefreshPeriod)*time.Hour)
	if err != nil {
		return nil, fmt.Errorf("OCSP: %w", err)
	}
	return resp, nil
}

// ocspIssuer finds the ROOT or INTERMEDIATE of the store a request's CertID
// names.
func (s *service) ocspIssuer(storeID int64, req *ocsp.Request) (issuerCA, bool, error) {
	recs, err := s.db.ListCerts(storeID)
	if err != nil {
		return issuerCA{}, false, fmt.Errorf("list certificates: %w", err)
	}
	for _, rec := range recs {
		if rec.Type == wire.TypeLeaf {
			continue
		}
		issuer, err := issuerOf(rec)
		if err != nil {
			return issuerCA{}, false, err
		}
		if ca.IssuerMatches(req, issuer.Cert) {
			return issuer, true, nil
		}
	}
	return issuerCA{}, false, nil
}

// serialStatus reads whether the issuer issued a serial and, for a kept
// certificate, whether it is revoked.
func (s *service) serialStatus(issuerID int64, serial *big.Int) (ca.SerialStatus, error) {
	certID, found, err := s.db.GetSerial(issuerID, serial.Bytes())
	if err != nil {
		return ca.SerialStatus{}, fmt.Errorf("read serial numbers: %w", err)
	}
	st := ca.SerialStatus{Issued: found}
	if found && certID != 0 {
		rec, _, err := s.db.GetCert(certID)
		if err != nil {
			return ca.SerialStatus{}, fmt.Errorf("read certificate: %w", err)
		}
		st.RevokedAt = rec.Revoked
	}
	return st, nil
}
