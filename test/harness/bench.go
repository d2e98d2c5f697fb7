package harness

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	"github.com/cert-manager/cert-manager/pkg/util/pki"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// CreateCAIssuer creates, in namespace ns, a Secret name+"-ca" holding a
// fresh self-signed EC P-256 CA (keys tls.crt and tls.key, PEM, valid a
// year) and a cert-manager Issuer name with spec.ca.secretName pointing at
// it, then waits for the Issuer to be Ready. The harness must run
// cert-manager's CA issuer (Options.BuiltinCA), or the wait times out after
// WaitTimeout. Errors are those of creating the objects or of the wait.
func (h *Harness) CreateCAIssuer(ctx context.Context, ns, name string) (*cmapi.Issuer, error) {
	if err := h.CreateNamespace(ctx, ns); err != nil {
		return nil, err
	}
	certPEM, keyPEM, err := selfSignedCA(name)
	if err != nil {
		return nil, err
	}
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name + "-ca"},
		Type:       corev1.SecretTypeTLS,
		Data:       map[string][]byte{corev1.TLSCertKey: certPEM, corev1.TLSPrivateKeyKey: keyPEM},
	}
	if err := client.IgnoreAlreadyExists(h.Client.Create(ctx, secret)); err != nil {
		return nil, err
	}
	iss := &cmapi.Issuer{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       cmapi.IssuerSpec{IssuerConfig: cmapi.IssuerConfig{CA: &cmapi.CAIssuer{SecretName: secret.Name}}},
	}
	if err := h.Client.Create(ctx, iss); err != nil {
		return nil, err
	}
	return iss, h.WaitFor(ctx, iss, WaitTimeout, "Ready", func() bool { return issuerReady(iss) })
}

// CACertificate returns the same Certificate as Certificate (EC P-256, one
// DNS name, a day) but signed by the cert-manager Issuer issuerName.
func CACertificate(ns, name, issuerName string) *cmapi.Certificate {
	crt := Certificate(ns, name, issuerName)
	crt.Spec.IssuerRef = cmmeta.IssuerReference{Group: "cert-manager.io", Kind: cmapi.IssuerKind, Name: issuerName}
	return crt
}

// selfSignedCA makes an EC P-256 CA certificate and its PKCS#8 key, both
// PEM, for commonName.
func selfSignedCA(commonName string) (certPEM, keyPEM []byte, err error) {
	key, err := pki.GenerateECPrivateKey(256)
	if err != nil {
		return nil, nil, fmt.Errorf("harness: CA key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: commonName},
		NotBefore: now.Add(-time.Minute), NotAfter: now.Add(365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	certPEM, _, err = pki.SignCertificate(tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, nil, fmt.Errorf("harness: CA certificate: %w", err)
	}
	if keyPEM, err = pki.EncodePKCS8PrivateKey(key); err != nil {
		return nil, nil, fmt.Errorf("harness: CA key: %w", err)
	}
	return certPEM, keyPEM, nil
}

// issuerReady reports whether a cert-manager Issuer's Ready condition is
// True for its generation.
func issuerReady(iss *cmapi.Issuer) bool {
	for _, c := range iss.Status.Conditions {
		if c.Type == cmapi.IssuerConditionReady && c.Status == cmmeta.ConditionTrue && c.ObservedGeneration == iss.Generation {
			return true
		}
	}
	return false
}
