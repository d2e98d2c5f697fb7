package controller

import (
	"crypto/x509"
	"time"
)

// maxInUseSecrets is how many Certificate Secrets one trust-bundle
// decision considers (inUseMemo.usedCAs); an issuer with more
// Certificates keeps every retired CA certificate (the decision cannot be
// made on part of them).
const maxInUseSecrets = 2000

// casInUse returns the fingerprints of the CA certificates of known that
// a chain in use runs through: each chain's leaf is verified at now with
// the self-signed certificates of known as roots and the others (and the
// chain's own intermediates) as intermediates; every certificate of every
// path found counts. An expired leaf is not in use; one whose notBefore is
// ahead of now (clock skew) is verified at its notBefore.
func casInUse(chains [][]*x509.Certificate, known []*x509.Certificate, now time.Time) map[string]bool {
	roots, intermediates := x509.NewCertPool(), x509.NewCertPool()
	for _, c := range known {
		if c.CheckSignatureFrom(c) == nil {
			roots.AddCert(c)
		} else {
			intermediates.AddCert(c)
		}
	}
	used := map[string]bool{}
	for _, chain := range chains {
		pool := intermediates.Clone()
		for _, c := range chain[1:] {
			pool.AddCert(c)
		}
		at := now
		if at.Before(chain[0].NotBefore) {
			at = chain[0].NotBefore // not valid yet by our clock: about to be used all the same
		}
		paths, err := chain[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: pool, CurrentTime: at,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
		if err != nil {
			continue // not ours, expired, or chains to none of the known roots
		}
		for _, path := range paths {
			for _, c := range path[1:] {
				used[caFingerprint(c)] = true
			}
		}
	}
	return used
}
