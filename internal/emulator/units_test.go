package emulator

import (
	"crypto/x509/pkix"
	"encoding/json"
	"math/big"
	"testing"
)

type pkixExtension = pkix.Extension

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func TestFormatSerial(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0x1234ab, "12:34:AB"},
		{1, "01"},
		{0xff00, "FF:00"},
		{0, "00"},
	}
	for _, tc := range tests {
		if got := formatSerial(big.NewInt(tc.in)); got != tc.want {
			t.Errorf("formatSerial(%#x) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestNewSerialIsPositiveWithin20Octets(t *testing.T) {
	for range 200 {
		n, err := newSerial()
		if err != nil {
			t.Fatal(err)
		}
		// DER adds a 0x00 octet when the top bit is set; 2^159 keeps it off.
		if n.Sign() <= 0 || n.BitLen() > 159 {
			t.Fatalf("serial %v: %d bits", n, n.BitLen())
		}
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"spiffe://cluster.local/*", "spiffe://cluster.local/ns/a/sa/b", true},
		{"spiffe://cluster.local/ns/*/sa/b", "spiffe://cluster.local/ns/x/sa/b", true},
		{"spiffe://cluster.local/ns/*/sa/b", "spiffe://cluster.local/ns/x/sa/c", false},
		{"https://exact", "https://exact", true},
		{"https://exact", "https://exactly", false},
		{"*", "", true},
		{"a*b*c", "abc", true},
		{"a*b*c", "acb", false},
	}
	for _, tc := range tests {
		if got := globMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("globMatch(%q, %q) = %v", tc.pattern, tc.s, got)
		}
	}
}

func TestLooksLikeDNSName(t *testing.T) {
	tests := map[string]bool{
		"example.com": true, "*.example.com": true, "localhost": true, "a-b.c": true,
		"": false, "My Service": false, "10.0.0.1": false, "::1": false, "-a.com": false,
		"a..b": false, "a.*.b": false, "user@example.com": false,
	}
	for s, want := range tests {
		if got := looksLikeDNSName(s); got != want {
			t.Errorf("looksLikeDNSName(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestParseOID(t *testing.T) {
	for s, ok := range map[string]bool{"1.2.840.113549.1.9.1": true, "2.5.4.45": true, "1": false, "1.x": false, "": false, "3.1": false} {
		if _, err := parseOID(s); (err == nil) != ok {
			t.Errorf("parseOID(%q) err %v, want ok=%v", s, err, ok)
		}
	}
}

func TestTemplateSignatureAlgorithm(t *testing.T) {
	tests := []struct {
		issuer string
		bits   int
		want   string
	}{
		{"RSA", 256, "SHA256_WITH_RSA"},
		{"RSA", 512, "SHA512_WITH_RSA"},
		{"EC", 384, "SHA384_WITH_ECDSA"},
		{"ED25519", 384, "ED25519"},
	}
	for _, tc := range tests {
		if got := templateSignatureAlgorithm(tc.issuer, tc.bits); got != tc.want {
			t.Errorf("templateSignatureAlgorithm(%s, %d) = %s, want %s", tc.issuer, tc.bits, got, tc.want)
		}
	}
}
