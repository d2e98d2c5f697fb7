package emulator

import (
	"crypto/x509"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// rootRequest is a valid EC ROOT request that allows one level below.
func rootRequest() wire.IssuerCertRequest {
	return wire.IssuerCertRequest{
		CertificateType: wire.TypeRoot, Name: "root",
		SubjectInfo: wire.SubjectInfo{CommonName: "Test Root", Organization: "Test", Country: "KR"},
		TTLValue:    10 * 365 * 24 * 3600, MaxDepth: ptr(1),
		KeyInfo: wire.KeyInfo{Algorithm: "EC", KeySize: 256}, SignatureAlgorithm: wire.SHA256WithECDSA,
	}
}

func TestIssuerCertValidation(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("EC")
	tests := []struct {
		name   string
		edit   func(r *wire.IssuerCertRequest)
		status int
		field  string
	}{
		{"type-must-be-root-or-intermediate", func(r *wire.IssuerCertRequest) { r.CertificateType = wire.TypeLeaf }, 400, "certificateType"},
		{"name-required", func(r *wire.IssuerCertRequest) { r.Name = "" }, 400, "name"},
		{"common-name-required", func(r *wire.IssuerCertRequest) { r.SubjectInfo.CommonName = "" }, 400, "subjectInfo.commonName"},
		{"country-two-letters", func(r *wire.IssuerCertRequest) { r.SubjectInfo.Country = "KOR" }, 400, "subjectInfo.country"},
		{"organization-at-most-64", func(r *wire.IssuerCertRequest) { r.SubjectInfo.Organization = strings.Repeat("o", 65) }, 400, "subjectInfo.organization"},
		{"rsa-1024-refused", func(r *wire.IssuerCertRequest) {
			r.KeyInfo = wire.KeyInfo{Algorithm: "RSA", KeySize: 1024}
			r.SignatureAlgorithm = wire.SHA256WithRSA
		}, 400, "keyInfo.keySize"},
		{"ec-size-from-the-table", func(r *wire.IssuerCertRequest) { r.KeyInfo.KeySize = 255 }, 400, "keyInfo.keySize"},
		{"unknown-key-algorithm", func(r *wire.IssuerCertRequest) { r.KeyInfo.Algorithm = "DSA" }, 400, "keyInfo.algorithm"},
		{"signature-must-fit-key", func(r *wire.IssuerCertRequest) { r.SignatureAlgorithm = wire.SHA256WithRSA }, 400, "signatureAlgorithm"},
		{"ttl-at-most-ten-years", func(r *wire.IssuerCertRequest) { r.TTLValue = maxTTLSeconds + 1 }, 400, "ttlValue"},
		{"ttl-or-date-required", func(r *wire.IssuerCertRequest) { r.TTLValue = 0 }, 400, "ttlValue"},
		{"not-both-ttl-and-date", func(r *wire.IssuerCertRequest) { r.SpecificDate = "2030-01-01T00:00:00" }, 400, "ttlValue"},
		{"date-in-range", func(r *wire.IssuerCertRequest) { r.TTLValue, r.SpecificDate = 0, "3000-01-01T00:00:00" }, 400, "specificDate"},
		{"back-date-at-most-30-days", func(r *wire.IssuerCertRequest) { r.BackDateValidation = ptr(int64(maxBackDateSeconds + 1)) }, 400, "backDateValidation"},
		{"max-depth-at-most-3", func(r *wire.IssuerCertRequest) { r.MaxDepth = ptr(4) }, 400, "maxDepth"},
		{"bad-ip-san", func(r *wire.IssuerCertRequest) { r.IPSans = []string{"300.1.1.1"} }, 400, "ipSans[0]"},
		{"intermediate-needs-parent", func(r *wire.IssuerCertRequest) { r.CertificateType = wire.TypeIntermediate }, 400, "parentCertId"},
		{"parent-must-exist", func(r *wire.IssuerCertRequest) { r.CertificateType, r.ParentCertID = wire.TypeIntermediate, 999 }, 400, "parentCertId"},
		{"parent-with-max-depth-0-cannot-sign-intermediate", func(r *wire.IssuerCertRequest) {
			r.CertificateType, r.ParentCertID, r.MaxDepth = wire.TypeIntermediate, b.IntermediateCertID, ptr(0)
			r.TTLValue = 3600
		}, 400, "parentCertId"},
		{"child-depth-below-parent", func(r *wire.IssuerCertRequest) {
			r.CertificateType, r.ParentCertID, r.MaxDepth, r.TTLValue = wire.TypeIntermediate, b.RootCertID, ptr(1), 3600
		}, 400, "maxDepth"},
		{"intermediate-may-not-outlive-parent", func(r *wire.IssuerCertRequest) {
			r.CertificateType, r.ParentCertID, r.MaxDepth = wire.TypeIntermediate, b.RootCertID, ptr(0)
			r.TTLValue, r.SpecificDate = 0, "2999-01-01T00:00:00"
		}, 400, "specificDate"},
		{"unknown-store-is-404", nil, 404, "999"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := rootRequest()
			storeID := b.CAStoreID
			if tc.edit != nil {
				tc.edit(&req)
			} else {
				storeID = 999
			}
			h.call(http.MethodPost, path("/%d/certs", storeID), h.admin, req).wantError(t, tc.status, tc.field)
		})
	}
}

func TestIssuerCertsForEveryKeyType(t *testing.T) {
	h := newHarness(t)
	var store wire.Store
	h.ok(http.MethodPost, path(""), wire.StoreRequest{Name: "s"}, &store)
	tests := []struct {
		name    string
		key     wire.KeyInfo
		sig     string
		wantAlg string
		wantLen int
	}{
		{"rsa-3072-sha384", wire.KeyInfo{Algorithm: "RSA", KeySize: 3072}, wire.SHA384WithRSA, "RSA", 3072},
		{"ecdsa-alias-p384", wire.KeyInfo{Algorithm: "ECDSA", KeySize: 384}, wire.SHA384WithECDSA, "EC", 384},
		{"ec-p224", wire.KeyInfo{Algorithm: "EC", KeySize: 224}, wire.SHA256WithECDSA, "EC", 224},
		{"ed25519-size-ignored", wire.KeyInfo{Algorithm: "ED25519", KeySize: 1}, wire.SigEd25519, "ED25519", 256},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := rootRequest()
			req.KeyInfo, req.SignatureAlgorithm = tc.key, tc.sig
			var d wire.Certificate
			h.ok(http.MethodPost, path("/%d/certs", store.ID), req, &d)
			if d.KeyAlgorithm != tc.wantAlg || d.KeyLength != tc.wantLen || d.SignatureAlgorithm != tc.sig || d.Type != wire.TypeRoot || d.IsLeaf {
				t.Errorf("detail %s %d %s %s leaf=%v", d.KeyAlgorithm, d.KeyLength, d.SignatureAlgorithm, d.Type, d.IsLeaf)
			}
			cert := parsePEMCerts(t, d.CertificatePem)[0]
			if err := cert.CheckSignatureFrom(cert); err != nil {
				t.Errorf("root is not self-signed: %v", err)
			}
		})
	}
}

func TestIntermediateChainsToRoot(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("RSA")
	root, rootCert := h.certOf(b.CAStoreID, b.RootCertID)
	inter, interCert := h.certOf(b.CAStoreID, b.IntermediateCertID)
	if !rootCert.IsCA || rootCert.MaxPathLen != 1 || !interCert.IsCA || !interCert.MaxPathLenZero {
		t.Errorf("path lengths root %d intermediate %d (zero %v), want 1 and 0", rootCert.MaxPathLen, interCert.MaxPathLen, interCert.MaxPathLenZero)
	}
	if interCert.KeyUsage != x509.KeyUsageCertSign|x509.KeyUsageCRLSign {
		t.Errorf("intermediate key usage %v", interCert.KeyUsage)
	}
	if err := interCert.CheckSignatureFrom(rootCert); err != nil {
		t.Fatal(err)
	}
	if inter.ChainCertificatePem != root.CertificatePem || root.ChainCertificatePem != "" {
		t.Errorf("chains: intermediate's should be the root, root's empty")
	}
	if len(root.ChildCertificateList) != 1 || root.ChildCertificateList[0].CertificateID != b.IntermediateCertID || root.ChildCertificateList[0].IsLeaf {
		t.Errorf("root children %+v", root.ChildCertificateList)
	}
	if want := time.Duration(bootstrapIntermediateTTL) * time.Second; !interCert.NotAfter.Equal(h.clock.Now().Add(want)) {
		t.Errorf("notAfter %v, want now + ttlValue", interCert.NotAfter)
	}
	if !interCert.NotBefore.Equal(h.clock.Now().Add(-defaultBackDate)) {
		t.Errorf("notBefore %v, want now - 30 s", interCert.NotBefore)
	}
	if !strings.Contains(inter.SerialNumber, ":") || strings.ToUpper(inter.SerialNumber) != inter.SerialNumber {
		t.Errorf("serial %q is not upper-case colon-separated hex", inter.SerialNumber)
	}
}

// TestValidityIsInWholeSeconds: with a clock between two seconds, an
// intermediate may still last exactly as long as its root, and a leaf as
// long as what its issuer has left, since certificates carry whole seconds.
func TestValidityIsInWholeSeconds(t *testing.T) {
	h := newHarness(t)
	h.clock.Advance(600 * time.Millisecond)
	var store wire.Store
	h.ok(http.MethodPost, path(""), wire.StoreRequest{Name: "s"}, &store)
	storeID := store.ID
	req := rootRequest()
	req.TTLValue = 24 * 3600
	var root, inter wire.Certificate
	h.ok(http.MethodPost, path("/%d/certs", storeID), req, &root)
	req.CertificateType, req.ParentCertID, req.Name, req.MaxDepth = wire.TypeIntermediate, root.CertificateID, "inter", ptr(0)
	h.ok(http.MethodPost, path("/%d/certs", storeID), req, &inter)
	templateID := h.createTemplate(storeID, inter.CertificateID, nil)
	_, csr := newCSR(t, "", nil, nil, nil)
	_, leaf, _ := issued(t, h.issue(storeID, templateID, wire.IssueRequest{Mode: wire.ModeSign, Csr: csr, CommonName: "svc", TTLValue: 3600}))
	if want := h.clock.Now().Truncate(time.Second).Add(time.Hour); !leaf.NotAfter.Equal(want) {
		t.Errorf("leaf notAfter %v, want %v", leaf.NotAfter, want)
	}

	// A date within the current second is already past for a certificate.
	thisSecond := h.clock.Now().Add(200 * time.Millisecond).UTC().Format("2006-01-02T15:04:05.000")
	_, csr = newCSR(t, "", nil, nil, nil)
	h.issue(storeID, templateID, wire.IssueRequest{Mode: wire.ModeSign, Csr: csr, CommonName: "svc", SpecificDate: thisSecond}).
		wantError(t, http.StatusBadRequest, "specificDate")

	// A template whose maxSpecificDate has passed issues nothing.
	until := h.createTemplate(storeID, inter.CertificateID, func(r *wire.TemplateRequest) {
		r.MaxTTL, r.MaxSpecificDate = nil, h.clock.Now().Add(time.Hour).UTC().Format(wire.DateTimeLayout)
	})
	h.clock.Advance(2 * time.Hour)
	h.admin = h.token(adminID, adminKey)
	h.issue(storeID, until, wire.IssueRequest{Mode: wire.ModeSign, Csr: csr, CommonName: "svc"}).
		wantError(t, http.StatusBadRequest, "maxSpecificDate")
}

func TestCertListFiltersAndSearches(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("EC")
	_, csr := newCSR(t, "web.example.com", nil, nil, nil)
	h.ok(http.MethodPost, path("/%d/templates/%d/certificates", b.CAStoreID, b.ECTemplateID), wire.IssueRequest{Mode: wire.ModeSign, Csr: csr, TTLValue: 3600}, nil)
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"PCA Emulator Root CA", "PCA Emulator Intermediate CA", "web.example.com"}},
		{"?type=issuer", []string{"PCA Emulator Root CA", "PCA Emulator Intermediate CA"}},
		{"?type=leaf", []string{"web.example.com"}},
		{"?type=leaf&search=WEB.example", []string{"web.example.com"}},
		{"?type=all&search=nothing", nil},
	}
	for _, tc := range tests {
		t.Run("query"+tc.query, func(t *testing.T) {
			var list wire.CertificateList
			h.ok(http.MethodGet, path("/%d/certs%s", b.CAStoreID, tc.query), nil, &list)
			var got []string
			for _, c := range list.ListCerts {
				got = append(got, c.CommonName)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") || list.TotalCnt != len(tc.want) {
				t.Errorf("got %v (total %d), want %v", got, list.TotalCnt, tc.want)
			}
		})
	}
	h.call(http.MethodGet, path("/%d/certs?type=root", b.CAStoreID), h.admin, nil).wantError(t, http.StatusBadRequest, "type")
	h.call(http.MethodGet, path("/%d/certs/999", b.CAStoreID), h.admin, nil).wantError(t, http.StatusNotFound, "999")
}

func TestRevoke(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("EC")
	h.clock.Advance(time.Minute)
	var res wire.RevokeResult
	h.ok(http.MethodPost, path("/%d/certs/%d/revoke", b.CAStoreID, b.IntermediateCertID), nil, &res)
	d, cert := h.certOf(b.CAStoreID, b.IntermediateCertID)
	if !res.Result || res.SerialNumber != wire.FormatSerial(cert.SerialNumber) || !res.RevocationDatetime.Equal(h.clock.Now()) {
		t.Errorf("revoke result %+v", res)
	}
	if d.Status != wire.StatusRevoked {
		t.Errorf("status %s, want REVOKED", d.Status)
	}
	h.call(http.MethodPost, path("/%d/certs/%d/revoke", b.CAStoreID, b.IntermediateCertID), h.admin, nil).wantError(t, http.StatusConflict, "REVOKED")
	_, csr := newCSR(t, "a.example.com", nil, nil, nil)
	h.call(http.MethodPost, path("/%d/templates/%d/certificates", b.CAStoreID, b.ECTemplateID), h.admin,
		wire.IssueRequest{Mode: wire.ModeSign, Csr: csr, TTLValue: 3600}).wantError(t, http.StatusConflict, "REVOKED")
	h.call(http.MethodPost, path("/%d/certs/%d/revoke", b.CAStoreID, b.RootCertID), h.viewer, nil).wantError(t, http.StatusForbidden, "VIEWER")
}

func TestStatusTurnsExpired(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("EC")
	h.clock.Advance(time.Duration(bootstrapIntermediateTTL+1) * time.Second)
	h.admin = h.token(adminID, adminKey)
	if d, _ := h.certOf(b.CAStoreID, b.IntermediateCertID); d.Status != wire.StatusExpired {
		t.Errorf("status %s, want EXPIRED", d.Status)
	}
}
