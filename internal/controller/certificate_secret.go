package controller

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
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

// currentLeaf returns the certificate currently in crt's Secret: the first
// PEM block of tls.crt in the Secret crt.Spec.SecretName of crt's
// namespace. r must read past the cache (Secrets are cached as metadata
// only, see CacheOptions). A missing Secret or an empty tls.crt is an
// error wrapping errNoLeaf; a tls.crt larger than maxSecretChainBytes, or
// whose first block is not a parseable CERTIFICATE, is another error.
func currentLeaf(ctx context.Context, r client.Reader, crt *cmapi.Certificate) (*x509.Certificate, error) {
	key := types.NamespacedName{Namespace: crt.Namespace, Name: crt.Spec.SecretName}
	var s corev1.Secret
	if err := r.Get(ctx, key, &s); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, fmt.Errorf("no Secret %s: %w", key, errNoLeaf)
		}
		return nil, fmt.Errorf("reading Secret %s: %w", key, err)
	}
	return leafOf(key, s.Data[corev1.TLSCertKey])
}

// leafOf parses the first certificate of a Secret's tls.crt, bounded by
// maxSecretChainBytes.
func leafOf(key types.NamespacedName, pemBytes []byte) (*x509.Certificate, error) {
	if len(pemBytes) == 0 {
		return nil, fmt.Errorf("the Secret %s has no %s: %w", key, corev1.TLSCertKey, errNoLeaf)
	}
	if len(pemBytes) > maxSecretChainBytes {
		return nil, fmt.Errorf("%s of Secret %s is %d bytes, more than %d", corev1.TLSCertKey, key, len(pemBytes), maxSecretChainBytes)
	}
	block, _ := pem.Decode(pemBytes)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%s of Secret %s does not start with a PEM CERTIFICATE block", corev1.TLSCertKey, key)
	}
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s of Secret %s: %w", corev1.TLSCertKey, key, err)
	}
	return leaf, nil
}
