package emulator

import (
	"crypto"
	"crypto/x509"
	"sync"
)

// issuanceCounter counts template issuances, in total and per public key.
// Tests read it to see how often the issuer really asked for a certificate.
type issuanceCounter struct {
	mu    sync.Mutex
	total int
	// perKey is keyed by the key's PKIX encoding, which two keys share
	// exactly when they are the same key (an EC key as *ecdsa.PublicKey or
	// as a NIST-curve *ecdh.PublicKey encodes the same).
	perKey map[string]int
}

func newIssuanceCounter() *issuanceCounter {
	return &issuanceCounter{perKey: map[string]int{}}
}

// add counts one issuance for the key pub.
func (c *issuanceCounter) add(pub crypto.PublicKey) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total++
	if err == nil {
		c.perKey[string(der)]++
	}
}

// count returns the total.
func (c *issuanceCounter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}

// countFor returns the issuances for the key pub; 0 for a key of no type
// x509 can encode.
func (c *issuanceCounter) countFor(pub crypto.PublicKey) int {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.perKey[string(der)]
}
