package controller

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// maxInUseSecrets is how many Certificate Secrets one trust-bundle
// decision reads; an issuer with more Certificates keeps every retired CA
// certificate (the decision cannot be made on part of them).
const maxInUseSecrets = 2000

// certificatesInUse reads the certificate chains in use for an issuer: the
// tls.crt of the Secret of each cert-manager Certificate whose issuerRef
// names it. Certificates come from the cache; Secrets are cached as
// metadata only, so each is read past the cache (apiReader), at most
// maxInUseSecrets of them. A Certificate whose Secret does not exist yet,
// or whose tls.crt does not parse, has no chain in use. A chain is the leaf
// and the CA certificates the Secret holds (secretChain).
func certificatesInUse(ctx context.Context, cache, apiReader client.Reader, issuer types.NamespacedName, kind string) ([][]*x509.Certificate, error) {
	var list cmapi.CertificateList
	var opts []client.ListOption
	if kind == kindIssuer {
		opts = append(opts, client.InNamespace(issuer.Namespace))
	}
	if err := cache.List(ctx, &list, opts...); err != nil {
		return nil, fmt.Errorf("listing Certificates: %w", err)
	}
	var chains [][]*x509.Certificate
	reads := 0
	for i := range list.Items {
		crt := &list.Items[i]
		if issuerKind(crt.Spec.IssuerRef) != kind || crt.Spec.IssuerRef.Name != issuer.Name || crt.Spec.SecretName == "" {
			continue
		}
		if reads++; reads > maxInUseSecrets {
			return nil, fmt.Errorf("the issuer has more than %d Certificates: every retired CA certificate is kept", maxInUseSecrets)
		}
		leaf, cas, err := secretChain(ctx, apiReader, crt)
		if errors.Is(err, errNoLeaf) || errors.Is(err, errBadLeaf) {
			continue
		}
		if err != nil {
			return nil, err
		}
		chains = append(chains, append([]*x509.Certificate{leaf}, cas...))
	}
	return chains, nil
}

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
