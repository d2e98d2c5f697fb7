package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/nhnpca/pca-issuer/internal/emulator"
)

// Names of the generated serving certificate and key in the data folder.
const (
	tlsCertFile = "tls.crt"
	tlsKeyFile  = "tls.key"
)

// servingHosts are the names the generated certificate covers: the listen
// host (or this machine's name when listening on every address) and the
// loopback names.
func servingHosts(listenHost string) []string {
	hosts := []string{}
	switch listenHost {
	case "", "0.0.0.0", "::":
		if name, err := os.Hostname(); err == nil {
			hosts = append(hosts, name)
		}
	default:
		hosts = append(hosts, listenHost)
	}
	for _, h := range []string{"localhost", "127.0.0.1", "::1"} {
		if !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	return hosts
}

// loadOrCreateServingCert returns the serving key pair in dir and the path
// of its certificate. A pair already there is reused while it covers
// hosts[0] and has more than a day left, so clients keep trusting it across
// restarts; otherwise a new one is written (key file mode 0600).
func loadOrCreateServingCert(dir string, hosts []string, now time.Time) (tls.Certificate, string, error) {
	certPath, keyPath := filepath.Join(dir, tlsCertFile), filepath.Join(dir, tlsKeyFile)
	if pair, err := tls.LoadX509KeyPair(certPath, keyPath); err == nil && stillServes(pair, hosts[0], now) {
		return pair, certPath, nil
	}
	certPEM, keyPEM, err := emulator.NewServingCertificate(hosts)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return tls.Certificate{}, "", fmt.Errorf("data folder: %w", err)
	}
	if err := os.WriteFile(keyPath, keyPEM, 0o600); err != nil {
		return tls.Certificate{}, "", fmt.Errorf("write serving key: %w", err)
	}
	if err := os.WriteFile(certPath, certPEM, 0o644); err != nil {
		return tls.Certificate{}, "", fmt.Errorf("write serving certificate: %w", err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	return pair, certPath, err
}

// stillServes reports whether a kept pair covers host and lasts another day.
func stillServes(pair tls.Certificate, host string, now time.Time) bool {
	cert, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return false
	}
	if ip := net.ParseIP(host); ip != nil {
		host = ip.String()
	}
	return cert.VerifyHostname(host) == nil && now.Add(24*time.Hour).Before(cert.NotAfter)
}
