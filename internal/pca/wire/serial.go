package wire

import (
	"math/big"
	"strings"
)

// MaxSerialText bounds a serial number read as text (an answer's
// serialNumber, an annotation): RFC 5280 section 4.1.2.2 allows 20
// octets, 59 characters in the colon-separated spelling; anything much
// longer is not a serial.
const MaxSerialText = 128

// FormatSerial writes a serial number as the API and the console show it
// (docs/pca-api.md#certificates): upper-case hex octets separated by
// colons, e.g. "01:AB:FF". No zero octet is added for a high first bit.
func FormatSerial(n *big.Int) string {
	b := n.Bytes()
	if len(b) == 0 {
		b = []byte{0}
	}
	const digits = "0123456789ABCDEF"
	out := make([]byte, 0, 3*len(b))
	for i, o := range b {
		if i > 0 {
			out = append(out, ':')
		}
		out = append(out, digits[o>>4], digits[o&0x0f])
	}
	return string(out)
}

// ParseSerial reads a serial number in the API's spelling, tolerating
// lower case and missing colons (an answer is untrusted input; only the
// value matters). It returns false for anything that is not a
// non-negative hex number of at most MaxSerialText characters.
func ParseSerial(s string) (*big.Int, bool) {
	if s == "" || len(s) > MaxSerialText {
		return nil, false
	}
	n, ok := new(big.Int).SetString(strings.ReplaceAll(s, ":", ""), 16)
	if !ok || n.Sign() < 0 {
		return nil, false
	}
	return n, true
}
