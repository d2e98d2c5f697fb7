package revocation

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

// makeCRL signs a CRL of ca listing the serials, valid from this to next,
// after edit changed its template.
func (ca testCA) makeCRL(t *testing.T, this, next time.Time, edit func(*x509.RevocationList), serials ...int64) []byte {
	t.Helper()
	tmpl := &x509.RevocationList{Number: big.NewInt(7), ThisUpdate: this, NextUpdate: next}
	for _, s := range serials {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries, x509.RevocationListEntry{
			SerialNumber: big.NewInt(s), RevocationTime: this.Add(-time.Minute), ReasonCode: 1})
	}
	if edit != nil {
		edit(tmpl)
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, ca.cert, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestParseCRL(t *testing.T) {
	ca := newCA(t, "Issuing CA")
	other := newCA(t, "Other CA")
	// sameName has ca's name and another key: a CRL it signs names the
	// right issuer and must fail on its signature.
	sameName := newCA(t, "Issuing CA")
	day := 24 * time.Hour
	good := ca.makeCRL(t, t0.Add(-time.Hour), t0.Add(day), nil, 5, 6)

	tests := []struct {
		name    string
		der     []byte
		issuer  *x509.Certificate
		now     time.Time
		wantErr string
		stale   bool
	}{
		{name: "valid", der: good, issuer: ca.cert, now: t0},
		{name: "valid within the skew past nextUpdate", der: good, issuer: ca.cert, now: t0.Add(day + MaxClockSkew - time.Second)},
		{name: "stale", der: good, issuer: ca.cert, now: t0.Add(day + MaxClockSkew + time.Second), wantErr: "has passed", stale: true},
		{name: "from the future", der: ca.makeCRL(t, t0.Add(time.Hour), t0.Add(day), nil), issuer: ca.cert, now: t0, wantErr: "in the future"},
		{name: "wrong issuer", der: other.makeCRL(t, t0.Add(-time.Hour), t0.Add(day), nil), issuer: ca.cert, now: t0, wantErr: "is issued by"},
		{name: "bad signature", der: sameName.makeCRL(t, t0.Add(-time.Hour), t0.Add(day), nil), issuer: ca.cert, now: t0, wantErr: "signature does not verify"},
		{name: "delta CRL", der: ca.makeCRL(t, t0.Add(-time.Hour), t0.Add(day), func(l *x509.RevocationList) {
			l.ExtraExtensions = append(l.ExtraExtensions, pkix.Extension{Id: oidDeltaCRLIndicator, Critical: true, Value: []byte{2, 1, 6}})
		}), issuer: ca.cert, now: t0, wantErr: "not the CA's complete CRL"},
		{name: "unknown critical extension", der: ca.makeCRL(t, t0.Add(-time.Hour), t0.Add(day), func(l *x509.RevocationList) {
			l.ExtraExtensions = append(l.ExtraExtensions, pkix.Extension{Id: []int{1, 2, 3, 4}, Critical: true, Value: []byte{5, 0}})
		}), issuer: ca.cert, now: t0, wantErr: "unsupported critical extension"},
		{name: "garbage", der: []byte("<html>maintenance</html>"), issuer: ca.cert, now: t0, wantErr: "parsing the CRL"},
		{name: "empty", der: nil, issuer: ca.cert, now: t0, wantErr: "parsing the CRL"},
		{name: "huge", der: make([]byte, MaxCRLBytes+1), issuer: ca.cert, now: t0, wantErr: "more than"},
		{name: "truncated", der: good[:len(good)-10], issuer: ca.cert, now: t0, wantErr: "parsing the CRL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			crl, err := ParseCRL(tc.der, tc.issuer, tc.now)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("ParseCRL: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("ParseCRL error = %v (crl %v), want one containing %q", err, crl, tc.wantErr)
			}
			if errors.Is(err, ErrStale) != tc.stale {
				t.Errorf("errors.Is(err, ErrStale) = %v, want %v", !tc.stale, tc.stale)
			}
		})
	}
}

func TestCRLStatus(t *testing.T) {
	ca := newCA(t, "Issuing CA")
	der := ca.makeCRL(t, t0.Add(-time.Hour), t0.Add(time.Hour), nil, 5, 0x1234)
	crl, err := ParseCRL(der, ca.cert, t0)
	if err != nil {
		t.Fatal(err)
	}
	if crl.Len() != 2 {
		t.Errorf("Len = %d, want 2", crl.Len())
	}
	got := crl.Status(big.NewInt(0x1234))
	if got.State != Revoked || got.Reason != 1 || !got.RevokedAt.Equal(t0.Add(-time.Hour-time.Minute)) {
		t.Errorf("Status(listed) = %+v, want revoked with keyCompromise at thisUpdate-1m", got)
	}
	if got := crl.Status(big.NewInt(6)); got.State != Good {
		t.Errorf("Status(unlisted) = %+v, want good", got)
	}
}

// TestCRLNegativeSerial: a CRL entry with a negative serial (RFC 5280
// section 4.1.2.2 requires positive ones) names no certificate; it must
// not revoke the certificate of the same magnitude.
func TestCRLNegativeSerial(t *testing.T) {
	ca := newCA(t, "Issuing CA")
	der := ca.makeCRL(t, t0.Add(-time.Hour), t0.Add(time.Hour), nil, -5, 7)
	crl, err := ParseCRL(der, ca.cert, t0)
	if err != nil {
		t.Fatal(err)
	}
	if got := crl.Status(big.NewInt(5)); got.State != Good {
		t.Errorf("Status(5) = %+v with -5 listed, want good", got)
	}
	if got := crl.Status(big.NewInt(7)); got.State != Revoked {
		t.Errorf("Status(7) = %+v, want revoked", got)
	}
}
