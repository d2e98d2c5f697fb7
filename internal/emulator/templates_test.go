package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

func TestTemplateValidation(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("EC")
	var leaf wire.Certificate
	_, csr := newCSR(t, "x.example.com", nil, nil, nil)
	h.ok(http.MethodPost, path("/%d/templates/%d/certificates", b.CAStoreID, b.ECTemplateID), wire.IssueRequest{Mode: wire.ModeSign, Csr: csr, TTLValue: 60}, &leaf)
	tests := []struct {
		name  string
		edit  func(r *wire.TemplateRequest)
		field string
	}{
		{"name-at-most-64", func(r *wire.TemplateRequest) { r.Name = strings.Repeat("n", 65) }, "name"},
		{"parent-required", func(r *wire.TemplateRequest) { r.ParentCertID = 0 }, "parentCertId"},
		{"parent-unknown", func(r *wire.TemplateRequest) { r.ParentCertID = 999 }, "parentCertId"},
		{"parent-not-a-leaf", func(r *wire.TemplateRequest) { r.ParentCertID = leaf.CertificateID }, "parentCertId"},
		{"max-ttl-or-date-required", func(r *wire.TemplateRequest) { r.MaxTTL = nil }, "maxTTL"},
		{"not-both-max-ttl-and-date", func(r *wire.TemplateRequest) { r.MaxSpecificDate = "2030-01-01T00:00:00" }, "maxTTL"},
		{"max-ttl-at-most-ten-years", func(r *wire.TemplateRequest) { r.MaxTTL = ptr(int64(maxTTLSeconds + 1)) }, "maxTTL"},
		{"max-date-readable", func(r *wire.TemplateRequest) { r.MaxTTL, r.MaxSpecificDate = nil, "soon" }, "maxSpecificDate"},
		{"signature-bits-from-the-table", func(r *wire.TemplateRequest) { r.SignatureBits = 128 }, "signatureBits"},
		{"key-info-checked", func(r *wire.TemplateRequest) { r.KeyInfo = wire.KeyInfo{Algorithm: "RSA", KeySize: 1024} }, "keyInfo.keySize"},
		{"key-usage-known", func(r *wire.TemplateRequest) { r.KeyUsage = []string{"SIGN_EVERYTHING"} }, "keyUsage[0]"},
		{"eku-known", func(r *wire.TemplateRequest) { r.ExtendedKeyUsage = []string{wire.ExtKeyUsageAny, "X"} }, "extendedKeyUsage[1]"},
		{"eku-oid-dotted", func(r *wire.TemplateRequest) { r.ExtendedKeyUsageOids = []string{"1.x"} }, "extendedKeyUsageOids[0]"},
		{"policy-oid-dotted", func(r *wire.TemplateRequest) { r.Policies = []string{"policy"} }, "policies[0]"},
		{"other-field-type-known", func(r *wire.TemplateRequest) {
			r.OtherFields = []wire.OidInfo{{OID: "2.5.4.45", Type: "OctetString", Value: "x"}}
		}, "otherFields[0]"},
		{"other-field-value-at-most-255", func(r *wire.TemplateRequest) {
			r.OtherFields = []wire.OidInfo{{OID: "2.5.4.45", Type: "UTF8String", Value: strings.Repeat("v", 256)}}
		}, "otherFields[0].value"},
		{"printable-string-refuses-at-sign", func(r *wire.TemplateRequest) {
			r.OtherFields = []wire.OidInfo{{OID: "2.5.4.45", Type: "PrintableString", Value: "a@b"}}
		}, "otherFields[0]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := baseTemplate(b.IntermediateCertID)
			tc.edit(&req)
			h.call(http.MethodPost, path("/%d/templates", b.CAStoreID), h.admin, req).wantError(t, http.StatusBadRequest, tc.field)
		})
	}
}

func TestTemplateCreateDetailAndList(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("RSA")
	req := baseTemplate(b.IntermediateCertID)
	req.Name, req.Description, req.SignatureBits = "web", "web servers", 384
	req.Policies = []string{"1.2.3.4"}
	var created wire.TemplateCreated
	h.ok(http.MethodPost, path("/%d/templates", b.CAStoreID), req, &created)
	if created.SigningCertificateID != b.IntermediateCertID || created.SigningCertificateName != "Local Intermediate CA" {
		t.Errorf("created %+v", created)
	}
	var attrs map[string]any
	if err := json.Unmarshal([]byte(created.Attributes), &attrs); err != nil {
		t.Fatalf("attributes %q is not a JSON string of an object: %v", created.Attributes, err)
	}
	if _, ok := attrs["name"]; ok {
		t.Errorf("attributes hold name: %s", created.Attributes)
	}
	if _, ok := attrs["description"]; ok {
		t.Errorf("attributes hold description: %s", created.Attributes)
	}
	if attrs["maxTTL"] != float64(31536000) || attrs["backDateValidation"] != float64(30) || attrs["storeInServer"] != true {
		t.Errorf("attributes lack the request fields with defaults: %s", created.Attributes)
	}

	var d wire.Template
	h.ok(http.MethodGet, path("/%d/templates/%d", b.CAStoreID, created.TemplateID), nil, &d)
	if d.MaxTTL != "31536000" || d.SignatureAlgorithm != wire.SHA384WithRSA || !d.IsLeaf || !d.StoreInServer || d.BackDateValidation != 30 || d.KeyLength != 256 {
		t.Errorf("detail maxTTL %q sig %s leaf %v store %v backDate %d keyLength %d", d.MaxTTL, d.SignatureAlgorithm, d.IsLeaf, d.StoreInServer, d.BackDateValidation, d.KeyLength)
	}

	var list wire.TemplateList
	h.ok(http.MethodGet, path("/%d/templates?search=WEB", b.CAStoreID), nil, &list)
	if list.TotalCnt != 1 || list.Templates[0].ID != created.TemplateID || list.Templates[0].Description != "web servers" {
		t.Errorf("list %+v", list)
	}
	h.call(http.MethodGet, path("/%d/templates/999", b.CAStoreID), h.viewer, nil).wantError(t, http.StatusNotFound, "999")
}
