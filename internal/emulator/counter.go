package emulator

import (
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"sync"
)

// issuanceCounter counts template issuances, in total and per public key
// (SHA-256 of its PKIX encoding). Tests read it to see how often the issuer
// really asked for a certificate.
type issuanceCounter struct {
	mu     sync.Mutex
	total  int
	perKey map[[sha256.Size]byte]int
}

func newIssuanceCounter() *issuanceCounter {
	return &issuanceCounter{perKey: map[[sha256.Size]byte]int{}}
}

// add counts one issuance for the key pub.
func (c *issuanceCounter) add(pub crypto.PublicKey) {
	id, known := keyIdentity(pub)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total++
	if known {
		c.perKey[sha256.Sum256(id)]++
	}
}

// count returns the total.
func (c *issuanceCounter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}

// countFor returns the issuances for the key pub; 0 for a key of no
// type x509 can encode.
func (c *issuanceCounter) countFor(pub crypto.PublicKey) int {
	id, known := keyIdentity(pub)
	if !known {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.perKey[sha256.Sum256(id)]
}

// keyIdentity is the PKIX encoding of a public key, which two keys share
// exactly when they are the same key (an EC key as *ecdsa.PublicKey or as a
// NIST-curve *ecdh.PublicKey encodes the same); known is false for a key x509
// cannot encode.
func keyIdentity(pub crypto.PublicKey) (id []byte, known bool) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	return der, err == nil
}
