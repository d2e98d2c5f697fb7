package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nhnpca/pca-issuer/internal/emulator"
)

// snapshot reads every file of dir, by name.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	return files
}

// wantUnchanged fails when dir's files differ from before.
func wantUnchanged(t *testing.T, dir string, before map[string][]byte) {
	t.Helper()
	after := snapshot(t, dir)
	if !maps.EqualFunc(before, after, bytes.Equal) {
		t.Errorf("files changed: before %v, after %v", slices.Sorted(maps.Keys(before)), slices.Sorted(maps.Keys(after)))
	}
}

// failedRun runs the command with args, which must fail before serving,
// and returns its stderr and error.
func failedRun(t *testing.T, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	var stderr bytes.Buffer
	err := run(ctx, args, io.Discard, &stderr)
	if err == nil {
		t.Fatalf("run(%q) served until its deadline; stderr %s", args, stderr.String())
	}
	return stderr.String(), err
}

func TestAStartThatFailsChangesNoFileOfTheRunningInstance(t *testing.T) {
	dir := t.TempDir()
	url, _, _, stop := started(t, "--listen", "127.0.0.1:0", "--data", dir, "--bootstrap", "--access-key", "me:pw:ADMIN")
	defer stop()
	before := snapshot(t, dir)
	for _, name := range []string{tlsCertFile, tlsKeyFile, bootstrapFile, emulator.DBFileName} {
		if before[name] == nil {
			t.Fatalf("the running instance has no %s", name)
		}
	}
	tests := []struct {
		name, want string
		args       []string
	}{
		// Another host and name would need another serving certificate.
		{"database held", "another process holds", []string{"--listen", "localhost:0", "--tls-san", "other.example.test", "--data", dir, "--bootstrap"}},
		{"bad --base-url", "--base-url", []string{"--listen", "localhost:0", "--data", dir, "--base-url", "ftp://x"}},
		{"empty --appkey", "--appkey", []string{"--listen", "localhost:0", "--data", dir, "--appkey", ""}},
		{"bad --error-rate", "--error-rate", []string{"--listen", "localhost:0", "--data", dir, "--error-rate", "2"}},
		{"bad --tls-san", "--tls-san", []string{"--listen", "localhost:0", "--data", dir, "--tls-san", "a b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := failedRun(t, tc.args...)
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to say %q", err, tc.want)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("the refusal took %v", took)
			}
			wantUnchanged(t, dir, before)
		})
	}
	// The running instance still serves with the certificate its clients trust.
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(before[tlsCertFile])
	fetchToken(t, &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}, url, "me", "pw")
}

func TestBootstrapAgainWhenTheDatabaseNoLongerHoldsIt(t *testing.T) {
	for name, lose := range map[string]func(path string) error{
		"emptied": func(path string) error { return os.Truncate(path, 0) },
		"deleted": os.Remove,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"--listen", "127.0.0.1:0", "--plain-http", "--data", dir, "--bootstrap", "--access-key", "me:pw:ADMIN", "--appkey", "k"}
			_, _, _, stop := started(t, args...)
			stop()
			if err := lose(filepath.Join(dir, emulator.DBFileName)); err != nil {
				t.Fatal(err)
			}

			url, lines, bootLine, stop := started(t, args...)
			defer stop()
			if !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, "bootstrapping again") }) {
				t.Errorf("no word of the lost bootstrap in %q", lines)
			}
			var boot emulator.BootstrapResult
			if err := json.Unmarshal([]byte(bootLine), &boot); err != nil {
				t.Fatal(err)
			}
			if kept, _ := os.ReadFile(filepath.Join(dir, bootstrapFile)); string(kept) != bootLine {
				t.Errorf("%s holds %s, printed %s", bootstrapFile, kept, bootLine)
			}
			token := fetchToken(t, http.DefaultClient, url, "me", "pw")
			for _, p := range []string{
				fmt.Sprintf("/%d", boot.CAStoreID),
				fmt.Sprintf("/%d/certs/%d", boot.CAStoreID, boot.IntermediateCertID),
				fmt.Sprintf("/%d/templates/%d", boot.CAStoreID, boot.TemplateID),
			} {
				if status := apiCall(t, http.MethodGet, url+"/v2.0/appkeys/k/ca-stores"+p, token, nil); status != http.StatusOK {
					t.Errorf("GET %s after bootstrap: HTTP %d", p, status)
				}
			}
		})
	}
}

func TestADamagedDatabaseIsRefusedWithoutChangingAFile(t *testing.T) {
	dir := t.TempDir()
	args := []string{"--listen", "127.0.0.1:0", "--data", dir, "--bootstrap", "--access-key", "me:pw:ADMIN"}
	_, _, _, stop := started(t, args...)
	stop()
	db := filepath.Join(dir, emulator.DBFileName)
	data, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	for i := 2 * os.Getpagesize(); i < len(data); i++ {
		data[i] = byte(i*7 + 3)
	}
	if err := os.WriteFile(db, data, 0o600); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	_, err = failedRun(t, append(args, "--tls-san", "other.example.test")...)
	if !errors.Is(err, emulator.ErrDataDamaged) || !strings.Contains(err.Error(), "--data "+dir) || !strings.Contains(err.Error(), "move "+db+" away") {
		t.Errorf("error %q, want the damaged database named with what to do", err)
	}
	wantUnchanged(t, dir, before)
}

func TestTheServingCertificateCoversTheListenAddressAndTLSSANs(t *testing.T) {
	hosts := servingHosts("10.1.2.3", []string{"pca.example.test", "192.0.2.7"})
	for _, h := range []string{"10.1.2.3", "pca.example.test", "192.0.2.7", "localhost", "127.0.0.1"} {
		if !slices.Contains(hosts, h) {
			t.Errorf("servingHosts misses %s: %v", h, hosts)
		}
	}
	wildcard := servingHosts("0.0.0.0", nil)
	for _, ip := range interfaceIPs() {
		if !slices.Contains(wildcard, ip) {
			t.Errorf("listening on every address, the certificate misses this machine's %s: %v", ip, wildcard)
		}
	}

	dir := t.TempDir()
	served, _, _, stop := started(t, "--listen", "0.0.0.0:0", "--data", dir, "--tls-san", "pca.example.test")
	defer stop()
	u, err := url.Parse(served)
	if err != nil {
		t.Fatal(err)
	}
	certPEM, err := os.ReadFile(filepath.Join(dir, tlsCertFile))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	// Pods dial the machine by a name given with --tls-san.
	conn, err := tls.Dial("tcp", net.JoinHostPort("127.0.0.1", u.Port()), &tls.Config{RootCAs: pool, ServerName: "pca.example.test"})
	if err != nil {
		t.Fatalf("TLS to the --tls-san name: %v", err)
	}
	_ = conn.Close()
	block, _ := pem.Decode(certPEM)
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	for _, ip := range interfaceIPs() {
		if err := cert.VerifyHostname(ip); err != nil {
			t.Errorf("serving certificate: %v", err)
		}
	}
}

func TestFlagErrorsNameTheFlagAsTyped(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--error-rate", "1.5"}, "--error-rate 1.5 is outside 0..1"},
		{[]string{"--drop-rate", "-1"}, "--drop-rate"},
		{[]string{"--fail-after-issue-rate", "3"}, "--fail-after-issue-rate"},
		{[]string{"--error-status", "200"}, "--error-status 200"},
		{[]string{"--fail-after-issue-status", "302"}, "--fail-after-issue-status"},
		{[]string{"--latency", "-1s"}, "--latency"},
		{[]string{"--base-url", "127.0.0.1:9443"}, "--base-url"},
		{[]string{"--appkey", ""}, "--appkey"},
		{[]string{"--listen", "9443"}, "--listen"},
		{[]string{"--access-key", "a:x:ADMIN", "--access-key", "a:y:VIEWER"}, "--access-key"},
		{[]string{"--tls-san", "pca.example.test", "--plain-http"}, "--tls-san"},
		{[]string{"--token-lifetime", "10ms"}, "--token-lifetime"},
		{[]string{"extra"}, "unexpected arguments"},
	}
	for _, tc := range tests {
		_, err := parseFlags(tc.args, io.Discard)
		var bad usageError
		if !errors.As(err, &bad) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseFlags(%q) = %v, want a usage error saying %q", tc.args, err, tc.want)
		}
		for _, field := range []string{"errorRate", "dropRate", "BaseURL", "AppKey", "errorStatus"} {
			if err != nil && strings.Contains(err.Error(), field) {
				t.Errorf("parseFlags(%q) = %v names the Go field %s", tc.args, err, field)
			}
		}
	}
}

func TestSecretsGivenByFlagAreNotPrinted(t *testing.T) {
	_, lines, _, stop := started(t, "--listen", "127.0.0.1:0", "--plain-http", "--access-key", "me:s3cret-value:ADMIN")
	defer stop()
	joined := strings.Join(lines, "\n")
	if strings.Contains(joined, "s3cret-value") || !strings.Contains(joined, "access key id=me role=ADMIN") {
		t.Errorf("stderr %q: want the key named without its secret", joined)
	}
}
