package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

func TestStoreModifyAndDelete(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("EC")
	var changed map[string]any
	h.ok(http.MethodPut, path("/%d", b.CAStoreID), wire.StoreRequest{Name: "renamed", CRLActive: false, OCSPActive: false, CRLRefreshPeriod: 3}, &changed)
	if changed["name"] != "renamed" || changed["status"] != wire.StatusActive || changed["toastProjectId"] == nil || changed["id"] != float64(b.CAStoreID) {
		t.Errorf("modify body %v", changed)
	}
	var s wire.Store
	h.ok(http.MethodGet, path("/%d", b.CAStoreID), nil, &s)
	if s.Name != "renamed" || s.CRLRefreshPeriod != 3 || s.OCSPRefreshPeriod != 1 || s.OCSPActive || s.OCSPURL != "" {
		t.Errorf("after modify %+v", s)
	}
	h.call(http.MethodPut, path("/%d", b.CAStoreID), h.admin, wire.StoreRequest{Name: "x", OCSPRefreshPeriod: 13}).wantError(t, http.StatusBadRequest, "ocspRefreshPeriod")
	h.call(http.MethodPut, path("/%d", b.CAStoreID), h.viewer, wire.StoreRequest{Name: "x"}).wantError(t, http.StatusForbidden, "VIEWER")

	h.call(http.MethodDelete, path("/%d", b.CAStoreID), h.viewer, nil).wantError(t, http.StatusForbidden, "VIEWER")
	var deleted wire.StoreChange
	h.ok(http.MethodDelete, path("/%d", b.CAStoreID), nil, &deleted)
	if deleted.Status != wire.StatusDeleted || deleted.ID != b.CAStoreID {
		t.Errorf("delete body %+v", deleted)
	}
	for _, p := range []string{"/%d", "/%d/certs", "/%d/templates"} {
		h.call(http.MethodGet, path(p, b.CAStoreID), h.admin, nil).wantError(t, http.StatusNotFound, "ca-store")
	}
	h.call(http.MethodDelete, path("/%d", b.CAStoreID), h.admin, nil).wantError(t, http.StatusNotFound, "ca-store")
	if status, _, _ := h.raw(http.MethodGet, path("/%d/certs/%d/crl/der", b.CAStoreID, b.IntermediateCertID), "", nil, ""); status != http.StatusNotFound {
		t.Errorf("CRL of a deleted store: HTTP %d, want 404", status)
	}
	var list wire.StoreList
	h.ok(http.MethodGet, path(""), nil, &list)
	if list.TotalCnt != 0 {
		t.Errorf("a deleted store is listed: %+v", list)
	}
}

func TestStoreOCSPURLFollowsOCSPActive(t *testing.T) {
	h := newHarness(t)
	var c wire.StoreChange
	h.ok(http.MethodPost, path(""), wire.StoreRequest{Name: "o", OCSPActive: true}, &c)
	var s wire.Store
	h.ok(http.MethodGet, path("/%d", c.ID), nil, &s)
	if want := h.srv.URL + path("/%d/ocsp", c.ID); s.OCSPURL != want {
		t.Errorf("ocspUrl %q, want %q", s.OCSPURL, want)
	}
}

func TestTemplateModifyAndDelete(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("EC")
	tp := path("/%d/templates/%d", b.CAStoreID, b.ECTemplateID)
	req := baseTemplate(b.IntermediateCertID)
	req.Name, req.AllowIPSans = "changed", false
	var ok bool
	h.ok(http.MethodPut, tp, req, &ok)
	if !ok {
		t.Error("modify body is not true")
	}
	var got wire.Template
	h.ok(http.MethodGet, tp, nil, &got)
	if got.Name != "changed" || got.AllowIPSans || got.UseCsrSans {
		t.Errorf("after modify %+v", got)
	}
	bad := req
	bad.ParentCertID = 999
	h.call(http.MethodPut, tp, h.admin, bad).wantError(t, http.StatusBadRequest, "parentCertId")
	h.call(http.MethodPut, tp, h.viewer, req).wantError(t, http.StatusForbidden, "VIEWER")
	h.call(http.MethodPut, path("/%d/templates/77", b.CAStoreID), h.admin, req).wantError(t, http.StatusNotFound, "template")

	h.call(http.MethodDelete, tp, h.viewer, nil).wantError(t, http.StatusForbidden, "VIEWER")
	h.ok(http.MethodDelete, tp, nil, &ok)
	h.call(http.MethodGet, tp, h.admin, nil).wantError(t, http.StatusNotFound, "template")
	_, csr := newCSR(t, "a.example.com", nil, nil, nil)
	h.issue(b.CAStoreID, b.ECTemplateID, wire.IssueRequest{Mode: wire.ModeSign, Csr: csr, TTLValue: 60}).wantError(t, http.StatusNotFound, "template")
	var s wire.Store
	h.ok(http.MethodGet, path("/%d", b.CAStoreID), nil, &s)
	if s.TemplateCnt != 2 {
		t.Errorf("templateCnt %d after deleting one of the 3 bootstrap templates", s.TemplateCnt)
	}
}

func TestCSRKeyMustFitTheTemplateKeyInfo(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("EC") // template keyInfo EC 256
	rsa3072 := h.createTemplate(b.CAStoreID, b.IntermediateCertID, func(r *wire.TemplateRequest) {
		r.KeyInfo = wire.KeyInfo{Algorithm: "RSA", KeySize: 3072}
	})
	tests := []struct {
		name     string
		template int64
		key      func() string
		wantErr  string
	}{
		{"ec-p256-fits-ec-256", b.ECTemplateID, func() string { _, c := newCSR(t, "a.example.com", nil, nil, nil); return c }, ""},
		{"rsa-refused-by-ec-template", b.ECTemplateID, func() string { return csrOfKey(t, rsaKey(t, 2048), "a.example.com", nil, nil, nil) }, "keyInfo.algorithm"},
		{"rsa-2048-below-3072", rsa3072, func() string { return csrOfKey(t, rsaKey(t, 2048), "a.example.com", nil, nil, nil) }, "keyInfo.keySize"},
		{"rsa-4096-above-3072-fits", rsa3072, func() string { return csrOfKey(t, rsaKey(t, 4096), "a.example.com", nil, nil, nil) }, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := h.issue(b.CAStoreID, tc.template, wire.IssueRequest{Mode: wire.ModeSign, Csr: tc.key(), CommonName: "a.example.com", TTLValue: 60})
			if tc.wantErr == "" {
				issued(t, r)
				return
			}
			r.wantError(t, http.StatusBadRequest, tc.wantErr)
		})
	}
}

func TestDownloadCertificate(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("EC")
	d, cert := h.certOf(b.CAStoreID, b.IntermediateCertID)
	status, hdr, body := h.raw(http.MethodGet, path("/%d/certs/%d/download", b.CAStoreID, b.IntermediateCertID), h.viewer, nil, "")
	if status != http.StatusOK || hdr.Get("Content-Type") != "application/x-pem-file" {
		t.Fatalf("HTTP %d %v", status, hdr)
	}
	if want := "attachment; filename=Local_Intermediate_CA.pem"; hdr.Get("Content-Disposition") != want {
		t.Errorf("Content-Disposition %q, want %q", hdr.Get("Content-Disposition"), want)
	}
	if string(body) != d.CertificatePem || !parsePEMCerts(t, string(body))[0].Equal(cert) {
		t.Error("download is not the certificate's PEM")
	}
	status, _, body = h.raw(http.MethodGet, path("/%d/certs/99/download", b.CAStoreID), h.viewer, nil, "")
	var env wire.Envelope[json.RawMessage]
	if status != http.StatusNotFound || json.Unmarshal(body, &env) != nil || env.Header.IsSuccessful {
		t.Errorf("unknown certificate: HTTP %d %s", status, body)
	}
	if status, _, _ := h.raw(http.MethodGet, path("/%d/certs/%d/download", b.CAStoreID, b.IntermediateCertID), "", nil, ""); status != http.StatusUnauthorized {
		t.Errorf("download without a token: HTTP %d, want 401", status)
	}
}

func TestSafeFilename(t *testing.T) {
	for in, want := range map[string]string{"Local Root CA": "Local_Root_CA", "a/b\"c.pem": "a_b_c.pem", "": "cert_7", "///": "cert_7"} {
		if got := safeFilename(in, 7); got != want {
			t.Errorf("safeFilename(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRolesPerEndpoint checks every route's role rule: VIEWER may call the
// GET routes and is refused every write with 403; public routes need no
// token.
func TestRolesPerEndpoint(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("EC")
	s, c, tm := b.CAStoreID, b.IntermediateCertID, b.ECTemplateID
	writes := []struct{ method, path string }{
		{http.MethodPost, path("")},
		{http.MethodPut, path("/%d", s)},
		{http.MethodDelete, path("/%d", s)},
		{http.MethodPost, path("/%d/certs", s)},
		{http.MethodPost, path("/%d/certs/%d/revoke", s, c)},
		{http.MethodPost, path("/%d/certs/%d/crl", s, c)},
		{http.MethodPost, path("/%d/templates", s)},
		{http.MethodPut, path("/%d/templates/%d", s, tm)},
		{http.MethodDelete, path("/%d/templates/%d", s, tm)},
		{http.MethodPost, path("/%d/templates/%d/certificates", s, tm)},
	}
	for _, w := range writes {
		t.Run("viewer-refused-"+w.method+strings.ReplaceAll(w.path, "/", "_"), func(t *testing.T) {
			h.call(w.method, w.path, h.viewer, map[string]any{}).wantError(t, http.StatusForbidden, "VIEWER")
		})
	}
	reads := []string{path(""), path("/%d", s), path("/%d/certs", s), path("/%d/certs/%d", s, c), path("/%d/certs/%d/crl", s, c), path("/%d/templates", s), path("/%d/templates/%d", s, tm)}
	for _, p := range reads {
		t.Run("viewer-reads"+strings.ReplaceAll(p, "/", "_"), func(t *testing.T) {
			if r := h.call(http.MethodGet, p, h.viewer, nil); r.status != http.StatusOK || !r.header.IsSuccessful {
				t.Errorf("HTTP %d %+v", r.status, r.header)
			}
			h.call(http.MethodGet, p, "", nil).wantError(t, http.StatusUnauthorized, "X-NHN-AUTHORIZATION")
		})
	}
	for _, p := range []string{path("/%d/certs/%d/crl/der", s, c), path("/%d/certs/%d/crl/pem", s, c)} {
		if status, _, _ := h.raw(http.MethodGet, p, "", nil, ""); status != http.StatusOK {
			t.Errorf("public %s without a token: HTTP %d", p, status)
		}
	}
}
