package emulator

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/nhnpca/pca-issuer/internal/emulator/ca"
)

// maxOCSPRequest caps an OCSP request body; real ones are a few hundred
// bytes.
const maxOCSPRequest = 64 << 10

// getCRLInfo is GET /ca-stores/{caStoreId}/certs/{certId}/crl (VIEWER).
func (e *Emulator) getCRLInfo(r *http.Request, _ AccessKey) (any, error) {
	storeID, certID, err := storeAndID(r, "certId")
	if err != nil {
		return nil, err
	}
	return e.svc.GetCRLInfo(storeID, certID)
}

// renewCRL is POST /ca-stores/{caStoreId}/certs/{certId}/crl (ADMIN); the
// body is true.
func (e *Emulator) renewCRL(r *http.Request, _ AccessKey) (any, error) {
	storeID, certID, err := storeAndID(r, "certId")
	if err != nil {
		return nil, err
	}
	if err := e.svc.RenewCRL(storeID, certID); err != nil {
		return nil, err
	}
	return true, nil
}

// downloadCRL is GET .../certs/{certId}/crl/der or /crl/pem (public):
// application/pkix-crl, attachment crl_<storeId>_<certId>.crl or .pem.
func (e *Emulator) downloadCRL(der bool) publicHandler {
	return func(r *http.Request) (any, error) {
		if err := e.checkPublicAppKey(r); err != nil {
			return nil, err
		}
		storeID, certID, err := storeAndID(r, "certId")
		if err != nil {
			return nil, err
		}
		data, err := e.svc.CRL(storeID, certID)
		if err != nil {
			return nil, err
		}
		name, ext := fmt.Sprintf("crl_%d_%d", storeID, certID), ".crl"
		if !der {
			data, ext = []byte(ca.CRLPEM(data)), ".pem"
		}
		return rawBody{contentType: "application/pkix-crl", filename: name + ext, data: data}, nil
	}
}

// ocspPost is POST /ca-stores/{caStoreId}/ocsp (public): a DER request
// body, a DER application/ocsp-response (docs/pca-api.md, OCSP; A38).
func (e *Emulator) ocspPost(r *http.Request) (any, error) {
	der, err := io.ReadAll(io.LimitReader(r.Body, maxOCSPRequest+1))
	switch {
	case err != nil:
		return nil, errValidation("body", "%v", err)
	case len(der) == 0:
		return nil, errValidation("body", "a DER OCSP request is required")
	case len(der) > maxOCSPRequest:
		return nil, errValidation("body", "larger than %d bytes", maxOCSPRequest)
	}
	return e.ocsp(r, der)
}

// ocspGet is GET /ca-stores/{caStoreId}/ocsp/{req} (public): req is the DER
// request in base64, in any of the spellings of docs/pca-api.md, A38.
func (e *Emulator) ocspGet(r *http.Request) (any, error) {
	der, ok := decodeOCSPPath(r.PathValue("req"))
	if !ok {
		return nil, errValidation("ocspRequestBase64", "not base64")
	}
	return e.ocsp(r, der)
}

// decodeOCSPPath reads the base64 of a GET OCSP request in any of its
// spellings.
func decodeOCSPPath(v string) ([]byte, bool) {
	v = strings.TrimSpace(v)
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.StdEncoding, base64.RawStdEncoding} {
		if der, err := enc.DecodeString(v); err == nil && len(der) > 0 {
			return der, true
		}
	}
	return nil, false
}

// ocsp answers a decoded OCSP request.
func (e *Emulator) ocsp(r *http.Request, der []byte) (any, error) {
	if err := e.checkPublicAppKey(r); err != nil {
		return nil, err
	}
	storeID, err := pathID(r, "caStoreId")
	if err != nil {
		return nil, err
	}
	resp, err := e.svc.OCSP(storeID, der)
	if err != nil {
		return nil, err
	}
	return rawBody{contentType: "application/ocsp-response", data: resp}, nil
}

// checkPublicAppKey refuses a public request for another appkey as not
// found (docs/pca-api.md, A7).
func (e *Emulator) checkPublicAppKey(r *http.Request) error {
	if subtle.ConstantTimeCompare([]byte(r.PathValue("appkey")), []byte(e.auth.appKey)) != 1 {
		return &ruleError{notFound, "appkey: unknown appkey"}
	}
	return nil
}
