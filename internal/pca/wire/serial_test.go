package wire

import (
	"math/big"
	"testing"
)

func TestSerialSpelling(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		text string
	}{{0, "00"}, {1, "01"}, {0xabff, "AB:FF"}, {0x1ab, "01:AB"}} {
		if got := FormatSerial(big.NewInt(tc.n)); got != tc.text {
			t.Errorf("FormatSerial(%#x) = %q, want %q", tc.n, got, tc.text)
		}
		if got, ok := ParseSerial(tc.text); !ok || got.Int64() != tc.n {
			t.Errorf("ParseSerial(%q) = %v, %v; want %#x", tc.text, got, ok, tc.n)
		}
	}
	for _, bad := range []string{"", "zz", "-01", string(make([]byte, MaxSerialText+1))} {
		if _, ok := ParseSerial(bad); ok {
			t.Errorf("ParseSerial(%q) accepted", bad)
		}
	}
	if got, ok := ParseSerial("ab:ff"); !ok || got.Int64() != 0xabff {
		t.Errorf("lower case not read: %v %v", got, ok)
	}
}
