package revocation

import (
	"math/big"
	"testing"
)

func TestReasonName(t *testing.T) {
	for code, want := range map[int]string{0: "unspecified", 1: "keyCompromise", 4: "superseded", 5: "cessationOfOperation", 6: "certificateHold", 10: "aACompromise", 7: "unknown(7)", -1: "unknown(-1)"} {
		if got := ReasonName(code); got != want {
			t.Errorf("ReasonName(%d) = %q, want %q", code, got, want)
		}
	}
}

func TestFormatSerial(t *testing.T) {
	for _, tc := range []struct {
		n    *big.Int
		want string
	}{
		{big.NewInt(0), "00"},
		{big.NewInt(0x0a), "0A"},
		{big.NewInt(0x01abff), "01:AB:FF"},
		{new(big.Int).SetBytes([]byte{0x80, 0, 0x7f}), "80:00:7F"},
	} {
		if got := FormatSerial(tc.n); got != tc.want {
			t.Errorf("FormatSerial(%x) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
