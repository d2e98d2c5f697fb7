package revocation

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
)

// respond signs an OCSP response about serial with responder (cert, key),
// after edit changed its template.
func respond(t *testing.T, issuer, responder *x509.Certificate, key crypto.Signer, serial int64, edit func(*ocsp.Response)) []byte {
	t.Helper()
	tmpl := ocsp.Response{Status: ocsp.Good, SerialNumber: big.NewInt(serial), ThisUpdate: t0.Add(-time.Minute), NextUpdate: t0.Add(time.Hour)}
	if responder != issuer {
		tmpl.Certificate = responder
	}
	if edit != nil {
		edit(&tmpl)
	}
	der, err := ocsp.CreateResponse(issuer, responder, tmpl, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestParseOCSP(t *testing.T) {
	ca := newCA(t, "Issuing CA")
	sameName := newCA(t, "Issuing CA")
	leaf := ca.leaf(t, 42)
	delegate, delegateKey := ca.issue(t, &x509.Certificate{SerialNumber: big.NewInt(900), Subject: pkix.Name{CommonName: "OCSP responder"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}})
	noEKU, noEKUKey := ca.issue(t, &x509.Certificate{SerialNumber: big.NewInt(901), Subject: pkix.Name{CommonName: "not a responder"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	foreign, foreignKey := sameName.issue(t, &x509.Certificate{SerialNumber: big.NewInt(902), Subject: pkix.Name{CommonName: "OCSP responder"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}})
	revoked := func(r *ocsp.Response) {
		r.Status, r.RevokedAt, r.RevocationReason = ocsp.Revoked, t0.Add(-2*time.Minute), ocsp.KeyCompromise
	}

	tests := []struct {
		name    string
		der     []byte
		want    Status
		wantErr string
		stale   bool
	}{
		{name: "good", der: respond(t, ca.cert, ca.cert, ca.key, 42, nil), want: Status{State: Good}},
		{name: "revoked", der: respond(t, ca.cert, ca.cert, ca.key, 42, revoked),
			want: Status{State: Revoked, RevokedAt: t0.Add(-2 * time.Minute), Reason: ocsp.KeyCompromise}},
		{name: "unknown", der: respond(t, ca.cert, ca.cert, ca.key, 42, func(r *ocsp.Response) { r.Status = ocsp.Unknown }), want: Status{State: Unknown}},
		{name: "delegated responder", der: respond(t, ca.cert, delegate, delegateKey, 42, revoked),
			want: Status{State: Revoked, RevokedAt: t0.Add(-2 * time.Minute), Reason: ocsp.KeyCompromise}},
		{name: "no nextUpdate", der: respond(t, ca.cert, ca.cert, ca.key, 42, func(r *ocsp.Response) { r.NextUpdate = time.Time{} }), want: Status{State: Good}},
		{name: "delegate without OCSPSigning", der: respond(t, ca.cert, noEKU, noEKUKey, 42, revoked), wantErr: "lacks the OCSPSigning"},
		{name: "delegate of another CA", der: respond(t, ca.cert, foreign, foreignKey, 42, nil), wantErr: "bad OCSP signature"},
		{name: "bad signature", der: respond(t, ca.cert, sameName.cert, sameName.key, 42, nil), wantErr: "bad OCSP signature"},
		{name: "another serial", der: respond(t, ca.cert, ca.cert, ca.key, 43, nil), wantErr: "OCSP response"},
		{name: "stale", der: respond(t, ca.cert, ca.cert, ca.key, 42, func(r *ocsp.Response) {
			r.ThisUpdate, r.NextUpdate = t0.Add(-2*time.Hour), t0.Add(-time.Hour)
		}), wantErr: "has passed", stale: true},
		{name: "from the future", der: respond(t, ca.cert, ca.cert, ca.key, 42, func(r *ocsp.Response) {
			r.ThisUpdate, r.NextUpdate = t0.Add(time.Hour), t0.Add(2*time.Hour)
		}), wantErr: "in the future"},
		{name: "unauthorized", der: ocsp.UnauthorizedErrorResponse, wantErr: "unauthorized"},
		{name: "garbage", der: []byte("<html>oops</html>"), wantErr: "OCSP response"},
		{name: "huge", der: make([]byte, MaxOCSPBytes+1), wantErr: "more than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseOCSP(tc.der, leaf, ca.cert, t0)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("ParseOCSP: %v", err)
				}
				if got.State != tc.want.State || got.Reason != tc.want.Reason || !got.RevokedAt.Equal(tc.want.RevokedAt) {
					t.Errorf("ParseOCSP = %+v, want %+v", got, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("ParseOCSP = %+v, %v; want an error containing %q", got, err, tc.wantErr)
			}
			if errors.Is(err, ErrStale) != tc.stale {
				t.Errorf("errors.Is(err, ErrStale) = %v, want %v", !tc.stale, tc.stale)
			}
		})
	}
}

func TestOCSPRequest(t *testing.T) {
	ca := newCA(t, "Issuing CA")
	leaf := ca.leaf(t, 42)
	der, err := OCSPRequest(leaf, ca.cert)
	if err != nil {
		t.Fatal(err)
	}
	req, err := ocsp.ParseRequest(der)
	if err != nil {
		t.Fatal(err)
	}
	if req.SerialNumber.Int64() != 42 || req.HashAlgorithm != crypto.SHA1 {
		t.Errorf("request = serial %v hash %v, want 42 and SHA-1", req.SerialNumber, req.HashAlgorithm)
	}
}
