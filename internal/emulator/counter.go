package emulator

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"strconv"
	"sync"
)

// issuanceCounter counts template issuances, in total and per public key
// (SHA-256 of keyIdentity). Tests read it to see how often the issuer
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

// ecdhCurveNames are the NIST curves' names as elliptic.Curve's Params
// gives them, for keyIdentity.
var ecdhCurveNames = map[ecdh.Curve]string{ecdh.P256(): "P-256", ecdh.P384(): "P-384", ecdh.P521(): "P-521"}

// keyIdentity is a byte string that two public keys share exactly when
// they are the same key: the key type, then for EC (as *ecdsa.PublicKey or
// a NIST-curve *ecdh.PublicKey) the curve and the SEC 1 uncompressed
// point, for RSA the modulus and exponent, for Ed25519 the key itself, and
// for any other key x509 encodes its PKIX encoding; known is false for a
// key it cannot. Counting used to key on the PKIX encoding
// of every issued key, whose ASN.1 marshalling was a percent of a SIGN
// issuance; the encodings above are a copy each.
func keyIdentity(pub crypto.PublicKey) (id []byte, known bool) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if point, err := k.Bytes(); err == nil {
			return append([]byte("EC "+k.Curve.Params().Name+" "), point...), true
		}
	case *rsa.PublicKey:
		return []byte("RSA " + k.N.Text(16) + " " + strconv.Itoa(k.E)), true
	case *ecdh.PublicKey:
		// The same EC key, held for key agreement: named as ecdsa names it.
		if name, ok := ecdhCurveNames[k.Curve()]; ok {
			return append([]byte("EC "+name+" "), k.Bytes()...), true
		}
	case ed25519.PublicKey:
		return append([]byte("ED25519 "), k...), true
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, false
	}
	return append([]byte("PKIX "), der...), true
}
