package emulator

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// The issuer cache keeps parsed certificates and keys, not statuses: an
// issuer that signed before must still be refused once revoked or expired.
func TestIssuanceRefusesACachedIssuerOnceRevokedOrExpired(t *testing.T) {
	tests := []struct {
		name   string
		change func(h *harness, b *BootstrapResult)
		want   string
	}{
		{"revoked", func(h *harness, b *BootstrapResult) {
			h.ok(http.MethodPost, path("/%d/certs/%d/revoke", b.CAStoreID, b.IntermediateCertID), nil, nil)
		}, wire.StatusRevoked},
		{"expired", func(h *harness, _ *BootstrapResult) {
			h.clock.Advance(time.Duration(bootstrapIntermediateTTL+1) * time.Second)
			h.admin = h.token(adminID, adminKey)
		}, wire.StatusExpired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			b := h.bootstrap("EC")
			issue := func() reply {
				_, csr := newCSR(t, "a.example.com", nil, nil, nil)
				return h.call(http.MethodPost, path("/%d/templates/%d/certificates", b.CAStoreID, b.ECTemplateID), h.admin,
					wire.IssueRequest{Mode: wire.ModeSign, Csr: csr, TTLValue: 3600})
			}
			if r := issue(); r.status != http.StatusOK {
				t.Fatalf("first issuance: HTTP %d %+v", r.status, r.header)
			}
			tc.change(h, b)
			issue().wantError(t, http.StatusConflict, tc.want)
		})
	}
}

func TestIssuerOfParsesOnceAndRereadsAChangedRecord(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("EC")
	svc := h.emu.svc
	svc.mu.Lock()
	defer svc.mu.Unlock()
	inter, _, _ := svc.db.GetCert(b.IntermediateCertID)
	root, _, _ := svc.db.GetCert(b.RootCertID)

	first, err := svc.issuerOf(inter)
	if err != nil {
		t.Fatal(err)
	}
	again, err := svc.issuerOf(inter)
	if err != nil {
		t.Fatal(err)
	}
	if again.cert != first.cert || again.key != first.key {
		t.Error("the second lookup parsed the issuer again instead of reusing it")
	}
	if !bytes.Equal(first.cert.Raw, inter.DER) {
		t.Error("cached certificate is not the record's")
	}
	for _, withoutRoot := range []bool{false, true, false} {
		want := pemCert(inter.DER) + pemCert(root.DER)
		if withoutRoot {
			want = pemCert(inter.DER)
		}
		if got, err := svc.chainBelow(again, withoutRoot); err != nil || got != want {
			t.Errorf("chain below the intermediate (without root %v):\n%s (%v)\nwant:\n%s", withoutRoot, got, err, want)
		}
	}
	if svc.issuers[inter.ID].chain == nil {
		t.Error("the chain was not kept with the parsed issuer")
	}

	// A record whose DER differs from the cached one is parsed afresh.
	changed := inter
	changed.DER, changed.KeyPKCS8 = root.DER, root.KeyPKCS8
	got, err := svc.issuerOf(changed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.cert.Raw, root.DER) {
		t.Error("a changed record got the stale cached certificate")
	}

	// A record that does not parse is an internal error, not a panic.
	broken := inter
	broken.ID, broken.DER = 999, []byte("not DER")
	if _, err := svc.issuerOf(broken); err == nil || err.Status != http.StatusInternalServerError {
		t.Errorf("broken record: %v, want a 500", err)
	}
}
