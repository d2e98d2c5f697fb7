package emulator

import (
	"net/http"
	"testing"
	"time"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// An issuer that signed before is refused once revoked or expired
// (docs/pca-api.md, A27).
func TestIssuanceRefusesAnIssuerOnceRevokedOrExpired(t *testing.T) {
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

// An issuer record that does not parse is the emulator's own failure: an
// answer of 500, not a panic and not a refusal of the request.
func TestABrokenIssuerRecordAnswers500(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("EC")
	inter, _, err := h.emu.svc.db.GetCert(b.IntermediateCertID)
	if err != nil {
		t.Fatal(err)
	}
	inter.DER = []byte("not DER")
	if err := h.emu.svc.db.PutCert(inter); err != nil {
		t.Fatal(err)
	}
	_, csr := newCSR(t, "a.example.com", nil, nil, nil)
	h.call(http.MethodPost, path("/%d/templates/%d/certificates", b.CAStoreID, b.ECTemplateID), h.admin,
		wire.IssueRequest{Mode: wire.ModeSign, Csr: csr, TTLValue: 3600}).wantError(t, http.StatusInternalServerError, "parse issuer")
}
