package emulator

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/nhnpca/pca-issuer/internal/emulator/db"
)

// checkBaseURL refuses a base URL that cannot prefix the public CRL and
// OCSP URLs: it must be absolute http(s) without query or fragment. An empty
// one is allowed and means "no URLs in certificates".
func checkBaseURL(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	if err := CheckBaseURL(v); err != nil {
		return "", fmt.Errorf("emulator: BaseURL: %w", err)
	}
	return strings.TrimRight(v, "/"), nil
}

// CheckBaseURL reports whether v can be Options.BaseURL: an absolute http
// or https URL with a host and without query or fragment. The error says
// so without naming the field, for callers that name it their way (the
// command's --base-url).
func CheckBaseURL(v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q is not an absolute http(s) URL without query or fragment", v)
	}
	return nil
}

// SetBaseURL changes the public base URL (Options.BaseURL) used in the CRL
// distribution points and OCSP URLs of certificates issued from now on and
// in the stores' ocspUrl. It fails on a URL checkBaseURL refuses.
func (e *Emulator) SetBaseURL(v string) error {
	v, err := checkBaseURL(v)
	if err != nil {
		return err
	}
	e.svc.mu.Lock()
	defer e.svc.mu.Unlock()
	e.svc.baseURL = v
	return nil
}

// storeURL is the public URL of a store, or "" without a base URL.
func (s *service) storeURL(storeID int64) string {
	if s.baseURL == "" {
		return ""
	}
	return fmt.Sprintf("%s/v2.0/appkeys/%s/ca-stores/%d", s.baseURL, url.PathEscape(s.appKey), storeID)
}

// crlURL is the public DER CRL of an issuer (GET .../certs/{id}/crl/der).
func (s *service) crlURL(storeID, issuerID int64) string {
	if s.baseURL == "" {
		return ""
	}
	return fmt.Sprintf("%s/certs/%d/crl/der", s.storeURL(storeID), issuerID)
}

// ocspURL is the store's OCSP responder (POST .../ocsp), "" unless the
// store has ocspActive and there is a base URL.
func (s *service) ocspURL(store db.Store) string {
	if !store.OCSPActive || s.baseURL == "" {
		return ""
	}
	return s.storeURL(store.ID) + "/ocsp"
}

// revocationURLs are the CRL distribution point and OCSP URL a certificate
// issued now by issuerID carries: each only while the store has it active
// (docs/pca-api.md, CRL, OCSP; A39).
func (s *service) revocationURLs(store db.Store, issuerID int64) (crl, ocsp string) {
	if store.CRLActive {
		crl = s.crlURL(store.ID, issuerID)
	}
	return crl, s.ocspURL(store)
}
