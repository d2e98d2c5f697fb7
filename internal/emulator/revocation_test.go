package emulator

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"net/http"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// leafOf issues a SIGN-mode leaf with the bootstrap template.
func (h *harness) leafOf(b *BootstrapResult, cn string) (wire.Certificate, *x509.Certificate) {
	h.t.Helper()
	_, csr := newCSR(h.t, cn, nil, nil, nil)
	d, leaf, _ := issued(h.t, h.issue(b.CAStoreID, b.ECTemplateID, wire.IssueRequest{Mode: wire.ModeSign, Csr: csr, TTLValue: 3600}))
	return d, leaf
}

// crlOf downloads and parses an issuer's DER CRL.
func (h *harness) crlOf(storeID, issuerID int64) *x509.RevocationList {
	h.t.Helper()
	status, hdr, der := h.raw(http.MethodGet, path("/%d/certs/%d/crl/der", storeID, issuerID), "", nil, "")
	if status != http.StatusOK || hdr.Get("Content-Type") != "application/pkix-crl" {
		h.t.Fatalf("CRL: HTTP %d %v %s", status, hdr, der)
	}
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		h.t.Fatal(err)
	}
	return crl
}

func TestCRLLifecycle(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("EC")
	d, leaf := h.leafOf(b, "a.example.com")
	if want := h.srv.URL + path("/%d/certs/%d/crl/der", b.CAStoreID, b.IntermediateCertID); d.CRLURL != want || len(leaf.CRLDistributionPoints) != 1 || leaf.CRLDistributionPoints[0] != want {
		t.Errorf("crlUrl %q, distribution points %v, want %q", d.CRLURL, leaf.CRLDistributionPoints, want)
	}
	_, inter := h.certOf(b.CAStoreID, b.IntermediateCertID)

	first := h.crlOf(b.CAStoreID, b.IntermediateCertID)
	if err := first.CheckSignatureFrom(inter); err != nil || len(first.RevokedCertificateEntries) != 0 || first.Number.Int64() != 1 {
		t.Fatalf("first CRL: %v, %d entries, number %v", err, len(first.RevokedCertificateEntries), first.Number)
	}
	if !first.NextUpdate.Equal(first.ThisUpdate.Add(7 * 24 * time.Hour)) {
		t.Errorf("nextUpdate %v is not thisUpdate %v + 7 days", first.NextUpdate, first.ThisUpdate)
	}

	h.ok(http.MethodPost, path("/%d/certs/%d/revoke", b.CAStoreID, d.CertificateID), nil, nil)
	if again := h.crlOf(b.CAStoreID, b.IntermediateCertID); again.Number.Int64() != 1 {
		t.Errorf("the CRL changed before its nextUpdate or a renewal: number %v", again.Number)
	}
	var ok bool
	h.call(http.MethodPost, path("/%d/certs/%d/crl", b.CAStoreID, b.IntermediateCertID), h.viewer, nil).wantError(t, http.StatusForbidden, "VIEWER")
	h.ok(http.MethodPost, path("/%d/certs/%d/crl", b.CAStoreID, b.IntermediateCertID), nil, &ok)
	renewed := h.crlOf(b.CAStoreID, b.IntermediateCertID)
	if !ok || renewed.Number.Int64() != 2 || len(renewed.RevokedCertificateEntries) != 1 || renewed.RevokedCertificateEntries[0].SerialNumber.Cmp(leaf.SerialNumber) != 0 {
		t.Fatalf("renewed CRL number %v entries %v", renewed.Number, renewed.RevokedCertificateEntries)
	}

	var info wire.CRLInfo
	h.clock.Advance(7*24*time.Hour + time.Second)
	h.viewer = h.token(viewerID, viewerKey)
	r := h.call(http.MethodGet, path("/%d/certs/%d/crl", b.CAStoreID, b.IntermediateCertID), h.viewer, nil)
	if r.status != http.StatusOK || jsonUnmarshal(r.body, &info) != nil {
		t.Fatalf("CRL info: HTTP %d %+v", r.status, r.header)
	}
	lazy, err := x509.ParseRevocationList(pemBlock(t, info.CRLPem, "X509 CRL"))
	if err != nil || lazy.Number.Int64() != 3 || !info.ThisUpdate.Equal(h.clock.Now()) || !info.NextUpdate.Equal(h.clock.Now().Add(7*24*time.Hour)) {
		t.Errorf("after the refresh period: %v number %v this %v next %v", err, lazy.Number, info.ThisUpdate, info.NextUpdate)
	}

	status, hdr, body := h.raw(http.MethodGet, path("/%d/certs/%d/crl/pem", b.CAStoreID, b.IntermediateCertID), "", nil, "")
	wantName := "attachment; filename=crl_" + itoa(b.CAStoreID) + "_" + itoa(b.IntermediateCertID) + ".pem"
	if status != http.StatusOK || hdr.Get("Content-Type") != "application/pkix-crl" || hdr.Get("Content-Disposition") != wantName || string(body) != info.CRLPem {
		t.Errorf("PEM CRL: HTTP %d %v", status, hdr)
	}
	_, hdr, _ = h.raw(http.MethodGet, path("/%d/certs/%d/crl/der", b.CAStoreID, b.IntermediateCertID), "", nil, "")
	if want := "attachment; filename=crl_" + itoa(b.CAStoreID) + "_" + itoa(b.IntermediateCertID) + ".crl"; hdr.Get("Content-Disposition") != want {
		t.Errorf("DER CRL Content-Disposition %q, want %q", hdr.Get("Content-Disposition"), want)
	}
	h.call(http.MethodGet, path("/%d/certs/%d/crl", b.CAStoreID, d.CertificateID), h.viewer, nil).wantError(t, http.StatusNotFound, "issuer certificate")
}

func TestNoRevocationURLsWhileInactive(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("EC")
	h.ok(http.MethodPut, path("/%d", b.CAStoreID), wire.StoreRequest{Name: "off"}, nil)
	d, leaf := h.leafOf(b, "a.example.com")
	if d.CRLURL != "" || d.OCSPURL != "" || len(leaf.CRLDistributionPoints) != 0 || len(leaf.OCSPServer) != 0 {
		t.Errorf("crlUrl %q ocspUrl %q, extensions %v %v: want none", d.CRLURL, d.OCSPURL, leaf.CRLDistributionPoints, leaf.OCSPServer)
	}
	h.call(http.MethodGet, path("/%d/certs/%d/crl", b.CAStoreID, b.IntermediateCertID), h.admin, nil).wantError(t, http.StatusConflict, "crlActive")
}

// ocspAsk posts an OCSP request for leaf and parses the answer.
func (h *harness) ocspAsk(storeID int64, leaf, issuer *x509.Certificate, viaGET bool) *ocsp.Response {
	h.t.Helper()
	der, err := ocsp.CreateRequest(leaf, issuer, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	var status int
	var hdr http.Header
	var body []byte
	if viaGET {
		status, hdr, body = h.raw(http.MethodGet, path("/%d/ocsp/%s", storeID, base64.RawURLEncoding.EncodeToString(der)), "", nil, "")
	} else {
		status, hdr, body = h.raw(http.MethodPost, path("/%d/ocsp", storeID), "", bytes.NewReader(der), "application/ocsp-request")
	}
	if status != http.StatusOK || hdr.Get("Content-Type") != "application/ocsp-response" {
		h.t.Fatalf("OCSP: HTTP %d %v %s", status, hdr, body)
	}
	resp, err := ocsp.ParseResponseForCert(body, leaf, issuer)
	if err != nil {
		h.t.Fatalf("OCSP response: %v", err)
	}
	return resp
}

func TestOCSPGoodRevokedAndCached(t *testing.T) {
	for _, alg := range []string{"EC", "RSA"} {
		t.Run(alg, func(t *testing.T) {
			h := newHarness(t)
			b := h.bootstrap(alg)
			key, _ := newCSR(t, "", nil, nil, nil)
			template := b.ECTemplateID
			if alg == "RSA" {
				key, template = rsaKey(t, 2048), b.RSATemplateID
			}
			d, leaf, chain := issued(t, h.issue(b.CAStoreID, template, wire.IssueRequest{Mode: wire.ModeSign, Csr: csrOfKey(t, key, "o.example.com", nil, nil, nil), TTLValue: 3600}))
			if want := h.srv.URL + path("/%d/ocsp", b.CAStoreID); d.OCSPURL != want || len(leaf.OCSPServer) != 1 || leaf.OCSPServer[0] != want {
				t.Errorf("ocspUrl %q, AIA %v, want %q", d.OCSPURL, leaf.OCSPServer, want)
			}
			inter := chain[0]
			first := h.ocspAsk(b.CAStoreID, leaf, inter, false)
			if first.Status != ocsp.Good || !first.ThisUpdate.Equal(h.clock.Now()) || !first.NextUpdate.Equal(h.clock.Now().Add(time.Hour)) {
				t.Fatalf("status %d this %v next %v", first.Status, first.ThisUpdate, first.NextUpdate)
			}
			h.ok(http.MethodPost, path("/%d/certs/%d/revoke", b.CAStoreID, d.CertificateID), nil, nil)
			h.clock.Advance(59 * time.Minute)
			if cached := h.ocspAsk(b.CAStoreID, leaf, inter, true); cached.Status != ocsp.Good || !cached.ThisUpdate.Equal(first.ThisUpdate) {
				t.Errorf("within the refresh period: status %d thisUpdate %v, want the cached good answer", cached.Status, cached.ThisUpdate)
			}
			h.clock.Advance(time.Minute)
			fresh := h.ocspAsk(b.CAStoreID, leaf, inter, true)
			if fresh.Status != ocsp.Revoked || fresh.RevokedAt.IsZero() || !fresh.ThisUpdate.Equal(h.clock.Now()) {
				t.Errorf("after the refresh period: status %d revokedAt %v this %v", fresh.Status, fresh.RevokedAt, fresh.ThisUpdate)
			}
		})
	}
}

func TestOCSPUnknownUnauthorizedAndMalformed(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("EC")
	_, leaf := h.leafOf(b, "a.example.com")
	_, inter := h.certOf(b.CAStoreID, b.IntermediateCertID)
	_, root := h.certOf(b.CAStoreID, b.RootCertID)

	// A serial the intermediate never issued: the root's serial under the
	// intermediate's name and key.
	forged := *leaf
	forged.SerialNumber = root.SerialNumber
	if got := h.ocspAsk(b.CAStoreID, &forged, inter, false); got.Status != ocsp.Unknown {
		t.Errorf("never-issued serial: status %d, want unknown", got.Status)
	}

	post := func(body []byte) []byte {
		_, _, out := h.raw(http.MethodPost, path("/%d/ocsp", b.CAStoreID), "", bytes.NewReader(body), "application/ocsp-request")
		return out
	}
	if got := post([]byte("not DER")); !bytes.Equal(got, ocsp.MalformedRequestErrorResponse) {
		t.Errorf("malformed request answered %x", got)
	}
	other := newHarness(t)
	ob := other.bootstrap("EC")
	_, foreignLeaf := other.leafOf(ob, "f.example.com")
	_, foreignInter := other.certOf(ob.CAStoreID, ob.IntermediateCertID)
	foreign, _ := ocsp.CreateRequest(foreignLeaf, foreignInter, nil)
	if got := post(foreign); !bytes.Equal(got, ocsp.UnauthorizedErrorResponse) {
		t.Errorf("another CA's certificate answered %x, want unauthorized", got)
	}
	h.ok(http.MethodPut, path("/%d", b.CAStoreID), wire.StoreRequest{Name: "off", CRLActive: true}, nil)
	own, _ := ocsp.CreateRequest(leaf, inter, nil)
	if got := post(own); !bytes.Equal(got, ocsp.UnauthorizedErrorResponse) {
		t.Errorf("ocspActive false answered %x, want unauthorized", got)
	}
	if status, _, _ := h.raw(http.MethodPost, path("/%d/ocsp", b.CAStoreID), "", nil, ""); status != http.StatusBadRequest {
		t.Errorf("empty body: HTTP %d, want 400", status)
	}
	if status, _, _ := h.raw(http.MethodGet, path("/%d/ocsp/%s", b.CAStoreID, "!!!"), "", nil, ""); status != http.StatusBadRequest {
		t.Errorf("bad base64: HTTP %d, want 400", status)
	}
	if status, _, _ := h.raw(http.MethodPost, "/v2.0/appkeys/other/ca-stores/1/ocsp", "", bytes.NewReader(own), ""); status != http.StatusNotFound {
		t.Errorf("other appkey: HTTP %d, want 404", status)
	}
}

func TestDecodeOCSPPathAcceptsEverySpelling(t *testing.T) {
	der := []byte{0xfb, 0xff, 0x3e, 0x01}
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.StdEncoding, base64.RawStdEncoding} {
		if got, ok := decodeOCSPPath(enc.EncodeToString(der)); !ok || !bytes.Equal(got, der) {
			t.Errorf("%q decoded to %x %v", enc.EncodeToString(der), got, ok)
		}
	}
}
