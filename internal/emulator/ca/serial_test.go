package ca

import (
	"math/big"
	"testing"
)

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
		if got := FormatSerial(big.NewInt(tc.in)); got != tc.want {
			t.Errorf("FormatSerial(%#x) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestNewSerialIsPositiveWithin20Octets(t *testing.T) {
	for range 200 {
		n, err := NewSerial()
		if err != nil {
			t.Fatal(err)
		}
		// DER adds a 0x00 octet when the top bit is set; 2^159 keeps it off.
		if n.Sign() <= 0 || n.BitLen() > 159 {
			t.Fatalf("serial %v: %d bits", n, n.BitLen())
		}
	}
}
