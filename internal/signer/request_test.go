package signer

import (
	"crypto"
	"encoding/pem"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

func TestBuildSignRequest(t *testing.T) {
	ec, rsa := ecKey(t), rsaKey(t)
	tests := []struct {
		name     string
		key      crypto.Signer
		csr      csrSpec
		duration time.Duration
		want     wire.IssueRequest // Mode, Csr and Format are checked apart
	}{
		{
			name:     "ec-p256-with-dns-and-ip-sans",
			key:      ec,
			csr:      csrSpec{cn: "app.example.com", dns: []string{"app.example.com", "www.example.com"}, ips: []string{"10.0.0.1", "2001:db8::1"}},
			duration: time.Hour,
			want: wire.IssueRequest{CommonName: "app.example.com", TTLValue: 3600,
				Sans: []string{"app.example.com", "www.example.com"}, IPSans: []string{"10.0.0.1", "2001:db8::1"}},
		},
		{
			name:     "rsa-2048-with-dns-and-ip-sans",
			key:      rsa,
			csr:      csrSpec{cn: "db.example.com", dns: []string{"db.example.com"}, ips: []string{"192.168.1.7"}},
			duration: 24 * time.Hour,
			want: wire.IssueRequest{CommonName: "db.example.com", TTLValue: 86400,
				Sans: []string{"db.example.com"}, IPSans: []string{"192.168.1.7"}},
		},
		{
			name:     "cn-only-is-excluded-from-sans",
			key:      ec,
			csr:      csrSpec{cn: "internal-service"},
			duration: time.Hour,
			want:     wire.IssueRequest{CommonName: "internal-service", TTLValue: 3600, ExcludeCommonNameFromSans: true},
		},
		{
			name:     "no-cn-uses-first-dns-name",
			key:      ec,
			csr:      csrSpec{dns: []string{"a.example.com", "b.example.com"}},
			duration: time.Hour,
			want:     wire.IssueRequest{CommonName: "a.example.com", TTLValue: 3600, Sans: []string{"a.example.com", "b.example.com"}},
		},
		{
			name:     "ip-only-uses-first-ip-and-excludes-it-from-dns-sans",
			key:      ec,
			csr:      csrSpec{ips: []string{"10.1.2.3", "10.1.2.4"}},
			duration: time.Hour,
			want:     wire.IssueRequest{CommonName: "10.1.2.3", TTLValue: 3600, ExcludeCommonNameFromSans: true, IPSans: []string{"10.1.2.3", "10.1.2.4"}},
		},
		{
			name:     "uri-only-uses-first-uri",
			key:      ec,
			csr:      csrSpec{uris: []string{"spiffe://cluster.local/ns/default/sa/app"}},
			duration: time.Hour,
			want: wire.IssueRequest{CommonName: "spiffe://cluster.local/ns/default/sa/app", TTLValue: 3600,
				ExcludeCommonNameFromSans: true, URLSans: []string{"spiffe://cluster.local/ns/default/sa/app"}},
		},
		{
			name:     "cn-not-among-dns-names-is-excluded-from-sans",
			key:      ec,
			csr:      csrSpec{cn: "My Service", dns: []string{"svc.example.com"}},
			duration: time.Hour,
			want:     wire.IssueRequest{CommonName: "My Service", TTLValue: 3600, ExcludeCommonNameFromSans: true, Sans: []string{"svc.example.com"}},
		},
		{
			name:     "cn-differing-from-dns-name-in-case-only-is-excluded",
			key:      ec,
			csr:      csrSpec{cn: "App.Example.com", dns: []string{"app.example.com"}},
			duration: time.Hour,
			want:     wire.IssueRequest{CommonName: "App.Example.com", TTLValue: 3600, ExcludeCommonNameFromSans: true, Sans: []string{"app.example.com"}},
		},
		{
			name:     "cn-of-64-characters-is-accepted",
			key:      ec,
			csr:      csrSpec{cn: strings.Repeat("é", 64)},
			duration: time.Hour,
			want:     wire.IssueRequest{CommonName: strings.Repeat("é", 64), TTLValue: 3600, ExcludeCommonNameFromSans: true},
		},
		{
			name:     "zero-duration-means-cert-manager-default-of-90-days",
			key:      ec,
			csr:      csrSpec{cn: "a.example.com", dns: []string{"a.example.com"}},
			duration: 0,
			want:     wire.IssueRequest{CommonName: "a.example.com", TTLValue: 90 * 24 * 3600, Sans: []string{"a.example.com"}},
		},
		{
			name:     "sub-second-duration-rounds-up",
			key:      ec,
			csr:      csrSpec{cn: "a.example.com", dns: []string{"a.example.com"}},
			duration: 1500 * time.Millisecond,
			want:     wire.IssueRequest{CommonName: "a.example.com", TTLValue: 2, Sans: []string{"a.example.com"}},
		},
		{
			name:     "one-nanosecond-duration-is-one-second",
			key:      ec,
			csr:      csrSpec{cn: "a.example.com", dns: []string{"a.example.com"}},
			duration: time.Nanosecond,
			want:     wire.IssueRequest{CommonName: "a.example.com", TTLValue: 1, Sans: []string{"a.example.com"}},
		},
		{
			name:     "duration-at-the-api-limit-is-accepted",
			key:      ec,
			csr:      csrSpec{cn: "a.example.com", dns: []string{"a.example.com"}},
			duration: MaxTTLSeconds * time.Second,
			want:     wire.IssueRequest{CommonName: "a.example.com", TTLValue: MaxTTLSeconds, Sans: []string{"a.example.com"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			csrPEM := newCSR(t, tt.key, tt.csr)
			got, err := BuildSignRequest(csrPEM, tt.duration, false)
			if err != nil {
				t.Fatalf("BuildSignRequest: %v", err)
			}
			if got.Mode != wire.ModeSign || got.Format != wire.FormatPEM || got.RemoveRootsFromChain {
				t.Errorf("mode %q format %q removeRootsFromChain %v, want SIGN, PEM, false", got.Mode, got.Format, got.RemoveRootsFromChain)
			}
			if got.Csr != string(csrPEM) {
				t.Errorf("csr = %q, want the PEM as given %q", got.Csr, csrPEM)
			}
			got.Mode, got.Format, got.Csr = "", "", ""
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestBuildSignRequestNormalisesTheCSR(t *testing.T) {
	der := newCSRDER(t, ecKey(t), csrSpec{cn: "a.example.com"})
	want := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
	tests := []struct {
		name  string
		input string
	}{
		{"text-around-the-block-is-dropped", "subject=CN=a.example.com\n" + want + "\n\n# end\n"},
		{"pem-headers-are-dropped", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Headers: map[string]string{"Comment": "x"}, Bytes: der}))},
		{"legacy-new-certificate-request-type-is-renamed", string(pem.EncodeToMemory(&pem.Block{Type: "NEW CERTIFICATE REQUEST", Bytes: der}))},
		{"crlf-line-endings-are-normalised", strings.ReplaceAll(want, "\n", "\r\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := BuildSignRequest([]byte(tt.input), time.Hour, false)
			if err != nil {
				t.Fatalf("BuildSignRequest: %v", err)
			}
			if got.Csr != want {
				t.Errorf("csr = %q, want %q", got.Csr, want)
			}
		})
	}
}

func TestBuildSignRequestPermanentErrors(t *testing.T) {
	key := ecKey(t)
	good := newCSR(t, key, csrSpec{cn: "a.example.com", dns: []string{"a.example.com"}})
	der := newCSRDER(t, key, csrSpec{cn: "a.example.com"})
	badSig := append([]byte(nil), der...)
	badSig[len(badSig)-1] ^= 0xff
	encode := func(typ string, b []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}) }

	tests := []struct {
		name       string
		csr        []byte
		duration   time.Duration
		isCA       bool
		wantReason string
		wantIn     string // a part of the message
	}{
		{"empty-input", nil, time.Hour, false, v1alpha1.ReasonInvalidCSR, "no PEM block"},
		{"not-pem", []byte("hello"), time.Hour, false, v1alpha1.ReasonInvalidCSR, "no PEM block"},
		{"certificate-block-instead-of-csr", encode("CERTIFICATE", der), time.Hour, false, v1alpha1.ReasonInvalidCSR, "not \"CERTIFICATE REQUEST\""},
		{"two-csr-blocks", append(append([]byte(nil), good...), good...), time.Hour, false, v1alpha1.ReasonInvalidCSR, "second PEM block"},
		{"csr-followed-by-private-key", append(append([]byte(nil), good...), encode("PRIVATE KEY", []byte{1})...), time.Hour, false, v1alpha1.ReasonInvalidCSR, "second PEM block \"PRIVATE KEY\""},
		{"csr-that-does-not-parse", encode("CERTIFICATE REQUEST", []byte("garbage")), time.Hour, false, v1alpha1.ReasonInvalidCSR, "not a valid PKCS #10"},
		{"csr-whose-signature-does-not-verify", encode("CERTIFICATE REQUEST", badSig), time.Hour, false, v1alpha1.ReasonInvalidCSR, "signature of the certificate request in spec.request does not verify"},
		{"is-ca", good, time.Hour, true, v1alpha1.ReasonCANotSupported, "spec.isCA"},
		{"email-san", newCSR(t, key, csrSpec{cn: "a", emails: []string{"a@example.com"}}), time.Hour, false, v1alpha1.ReasonEmailSANNotSupported, "a@example.com"},
		{"no-cn-and-no-san", newCSR(t, key, csrSpec{}), time.Hour, false, v1alpha1.ReasonNoNames, "no common name and no SAN"},
		{"cn-of-65-characters", newCSR(t, key, csrSpec{cn: strings.Repeat("a", 65)}), time.Hour, false, v1alpha1.ReasonCommonNameTooLong, "65 characters"},
		{"first-dns-name-too-long-for-cn", newCSR(t, key, csrSpec{dns: []string{strings.Repeat("a", 60) + ".example.com"}}), time.Hour, false, v1alpha1.ReasonCommonNameTooLong, "72 characters"},
		{"duration-over-the-api-limit", good, MaxTTLSeconds*time.Second + time.Millisecond, false, v1alpha1.ReasonInvalidDuration, "315360000 seconds"},
		{"negative-duration", good, -time.Hour, false, v1alpha1.ReasonInvalidDuration, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := BuildSignRequest(tt.csr, tt.duration, tt.isCA)
			var p *PermanentError
			if !errors.As(err, &p) {
				t.Fatalf("err = %v (%T), want *PermanentError", err, err)
			}
			if p.Reason != tt.wantReason {
				t.Errorf("reason = %q, want %q (message %q)", p.Reason, tt.wantReason, p.Message)
			}
			if !strings.Contains(err.Error(), tt.wantIn) {
				t.Errorf("error %q does not say %q", err, tt.wantIn)
			}
			if p.Message == "" || IsRetryable(err) || IsIssuerError(err) {
				t.Errorf("message %q, retryable %v, issuer %v: want a message and only the permanent kind", p.Message, IsRetryable(err), IsIssuerError(err))
			}
			if !reflect.DeepEqual(got, wire.IssueRequest{}) {
				t.Errorf("request = %+v, want zero on error", got)
			}
		})
	}
}
