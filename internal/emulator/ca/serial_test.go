package ca

import (
	"testing"
)

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
