package controller

import (
	"encoding/pem"
	"errors"
	"math/big"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// sameSerial reports whether s (PCA spelling) names serial n.
func sameSerial(s string, n *big.Int) bool {
	v, ok := wire.ParseSerial(s)
	return ok && n != nil && v.Cmp(n) == 0
}

// firstCertificateDER returns the DER of the first PEM CERTIFICATE block
// of data.
func firstCertificateDER(data []byte) ([]byte, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("no PEM CERTIFICATE block")
	}
	return block.Bytes, nil
}
