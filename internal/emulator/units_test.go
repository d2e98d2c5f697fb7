package emulator

import (
	"crypto/x509/pkix"
	"encoding/json"
	"testing"
)

type pkixExtension = pkix.Extension

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

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
