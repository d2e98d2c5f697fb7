package emulator

import (
	"crypto/sha256"
	"sync"
)

// issuanceCounter counts template issuances, in total and per public key
// (SHA-256 of the SubjectPublicKeyInfo DER). Tests read it to see how often
// the issuer really asked for a certificate.
type issuanceCounter struct {
	mu     sync.Mutex
	total  int
	perKey map[[sha256.Size]byte]int
}

func newIssuanceCounter() *issuanceCounter {
	return &issuanceCounter{perKey: map[[sha256.Size]byte]int{}}
}

// add counts one issuance for the key whose SubjectPublicKeyInfo is spki.
func (c *issuanceCounter) add(spki []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total++
	c.perKey[sha256.Sum256(spki)]++
}

// count returns the total.
func (c *issuanceCounter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}

// countFor returns the issuances for one SubjectPublicKeyInfo.
func (c *issuanceCounter) countFor(spki []byte) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.perKey[sha256.Sum256(spki)]
}
