package emulator

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"testing"
)

// TestIssuanceCounterMatchesKeysByValue: a key counts as the same key
// however it was obtained (parsed back from its PKIX encoding here), and
// different keys, of one type or of two, never share a count.
func TestIssuanceCounterMatchesKeysByValue(t *testing.T) {
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	keys := []crypto.PublicKey{p256Key(t).Public(), p256Key(t).Public(), p384.Public(), rsaKey(t, 2048).Public(), edPub}
	c := newIssuanceCounter()
	for i, k := range keys {
		for range i + 1 {
			c.add(k)
		}
	}
	for i, k := range keys {
		der, err := x509.MarshalPKIXPublicKey(k)
		if err != nil {
			t.Fatal(err)
		}
		again, err := x509.ParsePKIXPublicKey(der)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.countFor(again); got != i+1 {
			t.Errorf("key %d (%T): counted %d, want %d", i, k, got, i+1)
		}
	}
	ecdhKey, err := keys[0].(*ecdsa.PublicKey).ECDH()
	if err != nil {
		t.Fatal(err)
	}
	if got := c.countFor(ecdhKey); got != 1 {
		t.Errorf("the first P-256 key as an *ecdh.PublicKey: counted %d, want 1", got)
	}
	if got, total := c.countFor(struct{}{}), c.count(); got != 0 || total != 15 {
		t.Errorf("unknown key counted %d, total %d; want 0 and 15", got, total)
	}
}
