package emulator

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/nhnpca/pca-issuer/internal/emulator/ca"
)

// servingCertLifetime is the validity of NewServingCertificate's certificate.
const servingCertLifetime = 365 * 24 * time.Hour

// NewServingCertificate makes a self-signed TLS server certificate for hosts
// (DNS names and IP addresses; the first is also the CN) with a new P-256
// key, valid for one year from an hour ago. It returns the certificate as a
// PEM "CERTIFICATE" and the key as a PEM PKCS #8 "PRIVATE KEY". Clients trust
// it by taking the certificate itself as their CA (curl --cacert, caBundle).
// It fails when hosts is empty.
func NewServingCertificate(hosts []string) (certPEM, keyPEM []byte, err error) {
	if len(hosts) == 0 {
		return nil, nil, errors.New("emulator: serving certificate needs at least one host")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("emulator: serving key: %w", err)
	}
	serial, err := ca.NewSerial()
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: hosts[0], Organization: []string{"PCA Emulator"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(servingCertLifetime),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, nil, fmt.Errorf("emulator: serving certificate: %w", err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("emulator: serving key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), nil
}
