package controller

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// maxSecretChainBytes bounds the tls.crt of a Certificate's Secret that is
// parsed: a leaf and its chain fit many times over, and a Secret anyone in
// the namespace can write is not parsed past it.
const maxSecretChainBytes = 256 << 10

// errNoLeaf is wrapped by currentLeaf when a Certificate has no leaf yet:
// its Secret is missing, or holds no tls.crt. Callers skip such a
// Certificate without noise; cert-manager issues it in time.
var errNoLeaf = errors.New("no certificate in the Secret yet")

// errBadLeaf is wrapped by currentLeaf when a Secret's tls.crt is too large
// or does not start with a parseable certificate: the Secret holds nothing
// this issuer can act on.
var errBadLeaf = errors.New("unreadable certificate in the Secret")

// currentLeaf returns the certificate currently in crt's Secret: the first
// PEM block of tls.crt in the Secret crt.Spec.SecretName of crt's
// namespace. r must read past the cache (Secrets are cached as metadata
// only, see CacheOptions). A missing Secret or an empty tls.crt is an
// error wrapping errNoLeaf; a tls.crt larger than maxSecretChainBytes, or
// whose first block is not a parseable CERTIFICATE, an error wrapping
// errBadLeaf; a failed read is another error.
func currentLeaf(ctx context.Context, r client.Reader, crt *cmapi.Certificate) (*x509.Certificate, error) {
	leaf, _, err := secretChain(ctx, r, crt)
	return leaf, err
}

// maxChainCertificates bounds how many CA certificates of a Secret's
// tls.crt and ca.crt are parsed.
const maxChainCertificates = 16

// secretChain is currentLeaf that also returns the CA certificates the
// Secret holds: the rest of tls.crt, then ca.crt (each bounded by
// maxSecretChainBytes, at most maxChainCertificates in all; blocks that are
// not parseable certificates are left out). They are candidates only: a
// caller holds them to a pinned root before trusting them.
func secretChain(ctx context.Context, r client.Reader, crt *cmapi.Certificate) (*x509.Certificate, []*x509.Certificate, error) {
	key := types.NamespacedName{Namespace: crt.Namespace, Name: crt.Spec.SecretName}
	var s corev1.Secret
	if err := r.Get(ctx, key, &s); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil, fmt.Errorf("no Secret %s: %w", key, errNoLeaf)
		}
		return nil, nil, fmt.Errorf("reading Secret %s: %w", key, err)
	}
	leaf, rest, err := leafOf(key, s.Data[corev1.TLSCertKey])
	if err != nil {
		return nil, nil, err
	}
	cas := pemCertificates(rest, nil)
	if ca := s.Data[cmmeta.TLSCAKey]; len(ca) <= maxSecretChainBytes {
		cas = pemCertificates(ca, cas)
	}
	return leaf, cas, nil
}

// leafOf parses the first certificate of a Secret's tls.crt, bounded by
// maxSecretChainBytes, and returns it with the PEM that follows it.
func leafOf(key types.NamespacedName, pemBytes []byte) (*x509.Certificate, []byte, error) {
	if len(pemBytes) == 0 {
		return nil, nil, fmt.Errorf("the Secret %s has no %s: %w", key, corev1.TLSCertKey, errNoLeaf)
	}
	if len(pemBytes) > maxSecretChainBytes {
		return nil, nil, fmt.Errorf("%s of Secret %s is %d bytes, more than %d: %w", corev1.TLSCertKey, key, len(pemBytes), maxSecretChainBytes, errBadLeaf)
	}
	block, rest := pem.Decode(pemBytes)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, nil, fmt.Errorf("%s of Secret %s does not start with a PEM CERTIFICATE block: %w", corev1.TLSCertKey, key, errBadLeaf)
	}
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("%s of Secret %s: %w: %w", corev1.TLSCertKey, key, errBadLeaf, err)
	}
	return leaf, rest, nil
}

// pemCertificates appends to out the certificates of the PEM CERTIFICATE
// blocks of data, up to maxChainCertificates in out.
func pemCertificates(data []byte, out []*x509.Certificate) []*x509.Certificate {
	return appendPEMCertificates(data, out, maxChainCertificates)
}

// appendPEMCertificates appends to out the certificates of the PEM
// CERTIFICATE blocks of data until out holds limit of them; other blocks,
// and certificates that do not parse, are skipped.
func appendPEMCertificates(data []byte, out []*x509.Certificate, limit int) []*x509.Certificate {
	for len(out) < limit {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return out
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		if c, err := x509.ParseCertificate(block.Bytes); err == nil {
			out = append(out, c)
		}
	}
	return out
}
