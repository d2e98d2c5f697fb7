package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
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
// host (or, when listening on every address, this machine's name and
// addresses, so that other machines and pods can reach it by any of them),
// the extra names of --tls-san, and the loopback names.
func servingHosts(listenHost string, sans []string) []string {
	hosts := []string{}
	add := func(h string) {
		if ip := net.ParseIP(h); ip != nil {
			h = ip.String()
		}
		if h != "" && !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	if ip := net.ParseIP(listenHost); listenHost == "" || (ip != nil && ip.IsUnspecified()) {
		if name, err := os.Hostname(); err == nil {
			add(name)
		}
		for _, ip := range interfaceIPs() {
			add(ip)
		}
	} else {
		add(listenHost)
	}
	for _, h := range sans {
		add(h)
	}
	for _, h := range []string{"localhost", "127.0.0.1", "::1"} {
		add(h)
	}
	return hosts
}

// interfaceIPs are this machine's unicast addresses other than loopback
// and link-local ones: those another machine or a pod may dial.
func interfaceIPs() []string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var out []string
	for _, a := range addrs {
		ipnet, ok := a.(*net.IPNet)
		if ok && ipnet.IP.IsGlobalUnicast() {
			out = append(out, ipnet.IP.String())
		}
	}
	return out
}

// loadOrCreateServingCert returns the serving key pair in dir and the path
// of its certificate. A pair already there is reused while it covers every
// host and has more than a day left, so clients keep trusting it across
// restarts. Otherwise a new pair is written (key file mode 0600), but only
// when mayReplace says no other instance can be serving the old one (the
// caller holds the data folder's database); without it a pair that does not
// fit is refused with a message, never overwritten.
func loadOrCreateServingCert(dir string, hosts []string, now time.Time, mayReplace bool) (tls.Certificate, string, error) {
	certPath, keyPath := filepath.Join(dir, tlsCertFile), filepath.Join(dir, tlsKeyFile)
	pair, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err == nil && stillServes(pair, hosts, now) {
		return pair, certPath, nil
	}
	if !mayReplace && exists(certPath) {
		return tls.Certificate{}, "", fmt.Errorf("%s and %s do not serve %v for another day, and another pca-emulator without --data may be using them: "+
			"delete both to make a new pair, or pass --data", certPath, keyPath, hosts)
	}
	certPEM, keyPEM, err := emulator.NewServingCertificate(hosts)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return tls.Certificate{}, "", fmt.Errorf("data folder: %w", err)
	}
	if err := writeFileAtomic(keyPath, keyPEM, 0o600); err != nil {
		return tls.Certificate{}, "", fmt.Errorf("write serving key: %w", err)
	}
	if err := writeFileAtomic(certPath, certPEM, 0o644); err != nil {
		return tls.Certificate{}, "", fmt.Errorf("write serving certificate: %w", err)
	}
	pair, err = tls.X509KeyPair(certPEM, keyPEM)
	return pair, certPath, err
}

// exists reports whether path names something (an unreadable file counts).
func exists(path string) bool {
	_, err := os.Lstat(path)
	return !errors.Is(err, fs.ErrNotExist)
}

// writeFileAtomic writes data to a new file beside path and renames it over
// path, so that a reader sees the old file or the new one, never a part.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(f.Name()) }() // a no-op after the rename
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Chmod(perm); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// stillServes reports whether a kept pair covers every host and lasts
// another day.
func stillServes(pair tls.Certificate, hosts []string, now time.Time) bool {
	cert, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return false
	}
	for _, h := range hosts {
		if cert.VerifyHostname(h) != nil {
			return false
		}
	}
	return now.Add(24 * time.Hour).Before(cert.NotAfter)
}
