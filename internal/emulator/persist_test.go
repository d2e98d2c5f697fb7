package emulator

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// harnessOn is a harness whose emulator keeps its state in dir; cleanup
// closes it.
func harnessOn(t *testing.T, dir string, clock *fakeClock) *harness {
	t.Helper()
	emu, err := New(Options{
		AppKey:     testAppKey,
		AccessKeys: []AccessKey{{adminID, adminKey, RoleAdmin}, {viewerID, viewerKey, RoleViewer}},
		Now:        clock.Now, DataDir: dir,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	h := &harness{t: t, emu: emu, clock: clock, srv: srv}
	if err := emu.SetBaseURL(srv.URL); err != nil {
		t.Fatal(err)
	}
	h.admin = h.token(adminID, adminKey)
	h.viewer = h.token(viewerID, viewerKey)
	return h
}

// stop shuts the server and closes the emulator.
func (h *harness) stop() {
	h.srv.Close()
	if err := h.emu.Close(); err != nil {
		h.t.Fatal(err)
	}
}

func TestStateSurvivesARestart(t *testing.T) {
	dir := t.TempDir()
	clock := &fakeClock{t: time.Now().UTC().Truncate(time.Second)}
	first := harnessOn(t, dir, clock)
	b := first.bootstrap("EC")
	kept, leaf := first.leafOf(b, "kept.example.com")
	revoked, revokedLeaf := first.leafOf(b, "revoked.example.com")
	first.ok(http.MethodPost, path("/%d/certs/%d/revoke", b.CAStoreID, revoked.CertificateID), nil, nil)
	first.ok(http.MethodPost, path("/%d/certs/%d/crl", b.CAStoreID, b.IntermediateCertID), nil, nil)
	if _, err := New(Options{AppKey: "x", DataDir: dir}); err == nil {
		t.Error("a second emulator opened a data dir in use")
	}
	first.stop()

	second := harnessOn(t, dir, clock)
	defer second.stop()
	var s wire.Store
	second.ok(http.MethodGet, path("/%d", b.CAStoreID), nil, &s)
	if s.IssuerCnt != 2 || s.CertificateCnt != 2 || s.TemplateCnt != 3 || !s.CRLActive {
		t.Errorf("store after restart %+v", s)
	}
	if d, _ := second.certOf(b.CAStoreID, kept.CertificateID); d.SerialNumber != kept.SerialNumber || d.Status != wire.StatusActive {
		t.Errorf("kept leaf after restart %+v", d)
	}
	if d, _ := second.certOf(b.CAStoreID, revoked.CertificateID); d.Status != wire.StatusRevoked {
		t.Errorf("revoked leaf is %s after restart", d.Status)
	}
	crl := second.crlOf(b.CAStoreID, b.IntermediateCertID)
	if crl.Number.Int64() != 1 || len(crl.RevokedCertificateEntries) != 1 || crl.RevokedCertificateEntries[0].SerialNumber.Cmp(revokedLeaf.SerialNumber) != 0 {
		t.Errorf("CRL after restart: number %v entries %v", crl.Number, crl.RevokedCertificateEntries)
	}
	_, inter := second.certOf(b.CAStoreID, b.IntermediateCertID)
	if got := second.ocspAsk(b.CAStoreID, revokedLeaf, inter, false); got.Status != ocsp.Revoked {
		t.Errorf("OCSP after restart: status %d, want revoked", got.Status)
	}
	if got := second.ocspAsk(b.CAStoreID, leaf, inter, false); got.Status != ocsp.Good {
		t.Errorf("OCSP of the kept leaf after restart: status %d, want good", got.Status)
	}
	// The issuer keys came back: the template still issues, and ids go on.
	again, _ := second.leafOf(b, "again.example.com")
	if again.CertificateID <= revoked.CertificateID {
		t.Errorf("new certificate id %d does not follow %d", again.CertificateID, revoked.CertificateID)
	}
}
