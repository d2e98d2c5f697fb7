package emulator

import (
	"math/big"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// ocspCacheKey names one cached OCSP answer: an issuer and a serial.
type ocspCacheKey struct {
	issuerID int64
	serial   string
}

// cachedOCSP is a signed OCSP response served until its nextUpdate.
type cachedOCSP struct {
	der        []byte
	nextUpdate time.Time
}

// OCSP answers a DER OCSP request (RFC 6960) for a store with a DER OCSP
// response. Answers (assumed where the guide is silent):
//   - a request that does not parse: malformedRequest;
//   - a store with ocspActive false, or an issuer that is not a ROOT or
//     INTERMEDIATE of the store: unauthorized (RFC 6960 2.3);
//   - else a response signed by the issuer: good, revoked (with its time)
//     or unknown (a serial the issuer never issued), thisUpdate now and
//     nextUpdate ocspRefreshPeriod hours later.
//
// A signed response is cached per issuer and serial until its nextUpdate,
// so a revocation shows only once the cache turns over (wire contract
// "OCSP"). Only an unknown store is an error (404).
func (s *service) OCSP(storeID int64, der []byte) ([]byte, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	store, err := s.loadStore(storeID)
	if err != nil {
		return nil, err
	}
	req, pErr := ocsp.ParseRequest(der)
	if pErr != nil {
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
	key := ocspCacheKey{issuer.rec.ID, string(req.SerialNumber.Bytes())}
	now := s.now()
	if c, ok := s.ocspCache[key]; ok && now.Before(c.nextUpdate) {
		return c.der, nil
	}
	resp, next, err := s.signOCSPFor(store, issuer, req.SerialNumber, req, now)
	if err != nil {
		return nil, err
	}
	s.ocspCache[key] = cachedOCSP{der: resp, nextUpdate: next}
	return resp, nil
}

// ocspIssuer finds the ROOT or INTERMEDIATE of the store a request's CertID
// names.
func (s *service) ocspIssuer(storeID int64, req *ocsp.Request) (issuerCA, bool, *apiError) {
	recs, err := s.db.ListCerts(storeID)
	if err != nil {
		return issuerCA{}, false, errInternal("list certificates", err)
	}
	for _, rec := range recs {
		if rec.Type == wire.TypeLeaf {
			continue
		}
		issuer, err := s.issuerOf(rec)
		if err != nil {
			return issuerCA{}, false, err
		}
		if issuerMatches(req, issuer.cert) {
			return issuer, true, nil
		}
	}
	return issuerCA{}, false, nil
}

// signOCSPFor signs the status of one serial of issuer and returns the
// response and its nextUpdate.
func (s *service) signOCSPFor(store storeRecord, issuer issuerCA, serial *big.Int, req *ocsp.Request, now time.Time) ([]byte, time.Time, *apiError) {
	this := now.UTC().Truncate(time.Second)
	tmpl := ocsp.Response{
		Status: ocsp.Unknown, SerialNumber: serial, IssuerHash: req.HashAlgorithm,
		ThisUpdate: this, NextUpdate: this.Add(time.Duration(store.OCSPRefreshPeriod) * time.Hour),
	}
	certID, found, err := s.db.GetSerial(issuer.rec.ID, serial.Bytes())
	if err != nil {
		return nil, time.Time{}, errInternal("read serial numbers", err)
	}
	if found {
		tmpl.Status = ocsp.Good
	}
	if found && certID != 0 {
		rec, _, err := s.db.GetCert(certID)
		if err != nil {
			return nil, time.Time{}, errInternal("read certificate", err)
		}
		if !rec.Revoked.IsZero() {
			tmpl.Status, tmpl.RevokedAt, tmpl.RevocationReason = ocsp.Revoked, rec.Revoked.UTC().Truncate(time.Second), ocsp.Unspecified
		}
	}
	responder, aErr := s.responderFor(issuer, now)
	if aErr != nil {
		return nil, time.Time{}, aErr
	}
	der, signErr := signOCSP(issuer.cert, responder, tmpl)
	if signErr != nil {
		return nil, time.Time{}, errInternal("sign OCSP response", signErr)
	}
	return der, tmpl.NextUpdate, nil
}

// responderFor is the issuer itself, or for an Ed25519 issuer a delegated
// responder made once per issuer and kept in memory (a restart makes a new
// one; responses stay verifiable as each carries its responder).
func (s *service) responderFor(issuer issuerCA, now time.Time) (ocspResponder, *apiError) {
	if !needsDelegate(issuer.key) {
		return ocspResponder{cert: issuer.cert, key: issuer.key}, nil
	}
	if r, ok := s.delegates[issuer.rec.ID]; ok && now.Before(r.cert.NotAfter) {
		return r, nil
	}
	r, err := newDelegatedResponder(issuer.cert, issuer.key, issuer.rec.ID, now)
	if err != nil {
		return ocspResponder{}, errInternal("make OCSP responder", err)
	}
	s.delegates[issuer.rec.ID] = r
	return r, nil
}
