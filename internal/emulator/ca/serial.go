package ca

import (
	"crypto/rand"
	"fmt"
	"math/big"
)

// serialLimit is 2^159: serials below it are positive and fit in 20 octets
// of DER, sign bit included (RFC 5280 4.1.2.2).
var serialLimit = new(big.Int).Lsh(big.NewInt(1), 159)

// NewSerial returns a random, positive serial number of at most 20 octets.
func NewSerial() (*big.Int, error) {
	for {
		n, err := rand.Int(rand.Reader, serialLimit)
		if err != nil {
			return nil, fmt.Errorf("serial number: %w", err)
		}
		if n.Sign() > 0 {
			return n, nil
		}
	}
}
