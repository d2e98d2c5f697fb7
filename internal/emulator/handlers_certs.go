package emulator

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// listCerts is GET /ca-stores/{caStoreId}/certs (VIEWER) with type all,
// issuer or leaf (default all), page, size and search on Common Name.
func (e *Emulator) listCerts(r *http.Request, _ AccessKey) (any, *apiError) {
	storeID, err := pathID(r, "caStoreId")
	if err != nil {
		return nil, err
	}
	opts, err := listOptions(r)
	if err != nil {
		return nil, err
	}
	typ := r.URL.Query().Get("type")
	switch typ {
	case "":
		typ = wire.ListTypeAll
	case wire.ListTypeAll, wire.ListTypeIssuer, wire.ListTypeLeaf:
	default:
		return nil, errValidation("type", "all, issuer or leaf, got %q", typ)
	}
	return e.svc.ListCerts(storeID, typ, opts)
}

// createIssuerCert is POST /ca-stores/{caStoreId}/certs (ADMIN).
func (e *Emulator) createIssuerCert(r *http.Request, caller AccessKey) (any, *apiError) {
	storeID, err := pathID(r, "caStoreId")
	if err != nil {
		return nil, err
	}
	var req wire.IssuerCertRequest
	if err := decodeBody(r, &req); err != nil {
		return nil, err
	}
	return e.svc.CreateIssuerCert(caller.ID, storeID, req)
}

// getCert is GET /ca-stores/{caStoreId}/certs/{certId} (VIEWER).
func (e *Emulator) getCert(r *http.Request, _ AccessKey) (any, *apiError) {
	storeID, certID, err := storeAndID(r, "certId")
	if err != nil {
		return nil, err
	}
	return e.svc.GetCert(storeID, certID)
}

// revokeCert is POST /ca-stores/{caStoreId}/certs/{certId}/revoke (ADMIN).
func (e *Emulator) revokeCert(r *http.Request, _ AccessKey) (any, *apiError) {
	storeID, certID, err := storeAndID(r, "certId")
	if err != nil {
		return nil, err
	}
	return e.svc.RevokeCert(storeID, certID)
}

// storeAndID reads caStoreId and a second path id.
func storeAndID(r *http.Request, name string) (int64, int64, *apiError) {
	storeID, err := pathID(r, "caStoreId")
	if err != nil {
		return 0, 0, err
	}
	id, err := pathID(r, name)
	return storeID, id, err
}

// downloadCert is GET /ca-stores/{caStoreId}/certs/{certId}/download
// (VIEWER): the certificate's PEM as application/x-pem-file, attachment
// <name>.pem.
func (e *Emulator) downloadCert(r *http.Request, _ AccessKey) (any, *apiError) {
	storeID, certID, err := storeAndID(r, "certId")
	if err != nil {
		return nil, err
	}
	name, pemText, err := e.svc.DownloadCert(storeID, certID)
	if err != nil {
		return nil, err
	}
	return rawBody{contentType: "application/x-pem-file", filename: safeFilename(name, certID) + ".pem", data: []byte(pemText)}, nil
}

// safeFilename keeps a certificate name usable in Content-Disposition:
// letters, digits, '.', '-' and '_' stay, anything else becomes '_'. An
// empty result falls back to cert_<id>.
func safeFilename(name string, id int64) string {
	out := []rune{}
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			out = append(out, r)
		default:
			out = append(out, '_')
		}
	}
	if s := strings.Trim(string(out), "._"); s != "" {
		return string(out)
	}
	return fmt.Sprintf("cert_%d", id)
}
