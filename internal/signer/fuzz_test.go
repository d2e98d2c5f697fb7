package signer

import (
	"testing"
	"time"
	"unicode/utf8"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// FuzzBuildSignRequest checks that no input panics, that every failure is a
// PermanentError, and that every request built keeps the API's limits.
func FuzzBuildSignRequest(f *testing.F) {
	key := ecKey(f)
	f.Add(newCSR(f, key, csrSpec{cn: "a.example.com", dns: []string{"a.example.com"}, ips: []string{"10.0.0.1"}}), int64(3600), false)
	f.Add(newCSR(f, key, csrSpec{uris: []string{"spiffe://x/y"}}), int64(0), false)
	f.Add(newCSR(f, key, csrSpec{}), int64(-1), true)
	f.Add([]byte("-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n"), int64(1), false)
	f.Add([]byte{}, int64(1<<62), false)
	f.Fuzz(func(t *testing.T, csrPEM []byte, nanos int64, isCA bool) {
		req, err := BuildSignRequest(csrPEM, time.Duration(nanos), isCA)
		if err != nil {
			if !IsPermanent(err) {
				t.Fatalf("error %v (%T) is not a PermanentError", err, err)
			}
			return
		}
		if req.Mode != wire.ModeSign || req.Csr == "" || req.CommonName == "" {
			t.Fatalf("request %+v lacks mode, csr or commonName", req)
		}
		if req.TTLValue < 1 || req.TTLValue > MaxTTLSeconds {
			t.Fatalf("ttlValue %d out of 1..%d", req.TTLValue, MaxTTLSeconds)
		}
		if n := utf8.RuneCountInString(req.CommonName); n > MaxCommonNameLength {
			t.Fatalf("commonName of %d characters", n)
		}
		if isCA {
			t.Fatal("a CA request was accepted")
		}
	})
}
