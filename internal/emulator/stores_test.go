package emulator

import (
	"net/http"
	"strings"
	"testing"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

func TestCreateStoreValidation(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name  string
		req   wire.StoreRequest
		field string
	}{
		{"name-required", wire.StoreRequest{}, "name"},
		{"name-at-most-64", wire.StoreRequest{Name: strings.Repeat("n", 65)}, "name"},
		{"description-at-most-256", wire.StoreRequest{Name: "s", Description: strings.Repeat("d", 257)}, "description"},
		{"crl-period-at-most-30", wire.StoreRequest{Name: "s", CRLRefreshPeriod: 31}, "crlRefreshPeriod"},
		{"crl-period-positive", wire.StoreRequest{Name: "s", CRLRefreshPeriod: -1}, "crlRefreshPeriod"},
		{"ocsp-period-at-most-12", wire.StoreRequest{Name: "s", OCSPRefreshPeriod: 13}, "ocspRefreshPeriod"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h.call(http.MethodPost, path(""), h.admin, tc.req).wantError(t, http.StatusBadRequest, tc.field+":")
		})
	}
	t.Run("wrong-json-type-names-the-field", func(t *testing.T) {
		h.call(http.MethodPost, path(""), h.admin, map[string]any{"name": 5}).wantError(t, http.StatusBadRequest, "name:")
	})
}

func TestStoreCreateGetAndDefaults(t *testing.T) {
	h := newHarness(t)
	var created wire.Store
	h.ok(http.MethodPost, path(""), wire.StoreRequest{Name: "prod", Description: "production"}, &created)
	if created.ID == 0 || created.Status != wire.StatusActive || created.CreationUser != adminID {
		t.Fatalf("created %+v", created)
	}
	var got wire.Store
	h.ok(http.MethodGet, path("/%d", created.ID), nil, &got)
	if got.Name != "prod" || got.CRLRefreshPeriod != 7 || got.OCSPRefreshPeriod != 1 || got.ToastProjectID == "" {
		t.Errorf("store %+v, want name prod and the seed's default periods 7 and 1", got)
	}
	if !got.CreationDatetime.Equal(h.clock.Now()) {
		t.Errorf("creationDatetime %v, want the injected clock's %v", got.CreationDatetime, h.clock.Now())
	}
	h.call(http.MethodGet, path("/999"), h.admin, nil).wantError(t, http.StatusNotFound, "999")
	h.call(http.MethodGet, path("/abc"), h.admin, nil).wantError(t, http.StatusBadRequest, "caStoreId")
}

func TestStoreListPagesAndSearches(t *testing.T) {
	h := newHarness(t)
	for _, n := range []string{"alpha", "beta", "alphabet"} {
		h.ok(http.MethodPost, path(""), wire.StoreRequest{Name: n}, nil)
	}
	var list wire.StoreList
	h.ok(http.MethodGet, path("?search=ALPHA&size=1&page=1"), nil, &list)
	if list.TotalCnt != 2 || list.TotalPageNo != 2 || list.CurrentPageNo != 1 || len(list.CAInfoList) != 1 || list.CAInfoList[0].Name != "alphabet" {
		t.Errorf("list %+v", list)
	}
	h.call(http.MethodGet, path("?size=0"), h.admin, nil).wantError(t, http.StatusBadRequest, "size")
	h.call(http.MethodGet, path("?page=-1"), h.admin, nil).wantError(t, http.StatusBadRequest, "page")
}

func TestStoreCountsFollowContents(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("EC")
	_, csr := newCSR(t, "a.example.com", nil, nil, nil)
	h.ok(http.MethodPost, path("/%d/templates/%d/certificates", b.CAStoreID, b.ECTemplateID), wire.IssueRequest{Mode: wire.ModeSign, Csr: csr, TTLValue: 3600}, nil)
	unkept := h.createTemplate(b.CAStoreID, b.IntermediateCertID, func(r *wire.TemplateRequest) { r.StoreInServer = ptr(false) })
	h.ok(http.MethodPost, path("/%d/templates/%d/certificates", b.CAStoreID, unkept), wire.IssueRequest{Mode: wire.ModeSign, Csr: csr, CommonName: "b.example.com", TTLValue: 3600}, nil)
	var s wire.Store
	h.ok(http.MethodGet, path("/%d", b.CAStoreID), nil, &s)
	if s.IssuerCnt != 2 || s.TemplateCnt != 4 || s.CertificateCnt != 1 {
		t.Errorf("counts issuer %d template %d certificate %d, want 2, 4 (3 bootstrap), 1 (the unkept leaf does not count)", s.IssuerCnt, s.TemplateCnt, s.CertificateCnt)
	}
}
