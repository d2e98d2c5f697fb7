package controller

import (
	"strings"
	"testing"
)

func TestParseRevocationReason(t *testing.T) {
	cases := []struct {
		value, want, wantErr string
	}{
		{value: "keyCompromise", want: "keyCompromise"},
		{value: " KEYCOMPROMISE ", want: "keyCompromise"},
		{value: "unspecified", want: "unspecified"},
		{value: "cACompromise", want: "cACompromise"},
		{value: "affiliationChanged", want: "affiliationChanged"},
		{value: "superseded", want: "superseded"},
		{value: "cessationOfOperation", want: "cessationOfOperation"},
		{value: "privilegeWithdrawn", want: "privilegeWithdrawn"},
		{value: "aACompromise", want: "aACompromise"},
		{value: "certificateHold", wantErr: "permanent"},
		{value: "removeFromCRL", wantErr: "revokes nothing"},
		{value: "", wantErr: "write one of unspecified, keyCompromise"},
		{value: "yes", wantErr: `"yes" is not an RFC 5280 revocation reason`},
		{value: strings.Repeat("x", 4096), wantErr: "..."},
	}
	for _, c := range cases {
		got, err := parseRevocationReason(c.value)
		switch {
		case c.wantErr == "" && (err != nil || got != c.want):
			t.Errorf("%q: got %q, %v; want %q", c.value, got, err, c.want)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%q: got %q, %v; want an error containing %q", c.value, got, err, c.wantErr)
		case err != nil && len(err.Error()) > 512:
			t.Errorf("%q: the error is %d bytes long", c.value[:8], len(err.Error()))
		}
	}
	if strings.Contains(strings.Join(acceptedReasons(), ","), "Hold") {
		t.Error("certificateHold is listed as accepted")
	}
}
