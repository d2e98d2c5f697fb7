package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nhnpca/pca-issuer/internal/emulator"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

func TestParseAccessKey(t *testing.T) {
	tests := []struct {
		in      string
		want    emulator.AccessKey
		wantErr bool
	}{
		{"id:secret:ADMIN", emulator.AccessKey{ID: "id", Secret: "secret", Role: "ADMIN"}, false},
		{"id:se:cret:viewer", emulator.AccessKey{ID: "id", Secret: "se:cret", Role: "VIEWER"}, false},
		{"id:secret", emulator.AccessKey{}, true},
		{"id::ADMIN", emulator.AccessKey{}, true},
		{"id:secret:OWNER", emulator.AccessKey{}, true},
	}
	for _, tc := range tests {
		got, err := parseAccessKey(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("parseAccessKey(%q) = %+v, %v", tc.in, got, err)
		}
	}
}

func TestParseFlagsRefusesBadCombinations(t *testing.T) {
	for _, args := range [][]string{
		{"--tls-cert", "a.crt"},
		{"--token-lifetime", "500ms"},
		{"--bootstrap-key-algorithm", "DSA"},
		{"--nope"},
		{"extra"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
}

// started runs the command in the background and returns the base URL from
// its "serving" line, the stderr lines seen so far, the first stdout line
// (empty without --bootstrap) and a stop function that waits for a clean
// exit.
func started(t *testing.T, args ...string) (url string, stderrLines []string, stdoutLine string, stop func()) {
	t.Helper()
	errR, errW := io.Pipe()
	outR, outW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	result := make(chan error, 1)
	go func() {
		err := run(ctx, args, outW, errW)
		_ = errW.Close()
		_ = outW.Close()
		result <- err
	}()
	lines := bufio.NewScanner(errR)
	for url == "" && lines.Scan() {
		line := lines.Text()
		stderrLines = append(stderrLines, line)
		if rest, ok := strings.CutPrefix(line, "pca-emulator: serving "); ok && strings.Contains(rest, "://") {
			url = strings.Fields(rest)[0]
		}
	}
	if url == "" {
		t.Fatalf("no serving line; stderr %q; run: %v", stderrLines, <-result)
	}
	// The access key lines follow the serving line: one per --access-key,
	// or the one generated.
	want := max(1, strings.Count(strings.Join(args, " "), "--access-key"))
	for seen := 0; seen < want && lines.Scan(); {
		stderrLines = append(stderrLines, lines.Text())
		if strings.Contains(lines.Text(), "access key") {
			seen++
		}
	}
	go func() { _, _ = io.Copy(io.Discard, errR) }()
	if slicesContain(args, "--bootstrap") {
		out := bufio.NewScanner(outR)
		if !out.Scan() {
			t.Fatal("no bootstrap line on stdout")
		}
		stdoutLine = out.Text()
	}
	go func() { _, _ = io.Copy(io.Discard, outR) }()
	return url, stderrLines, stdoutLine, func() {
		cancel()
		select {
		case err := <-result:
			if err != nil {
				t.Errorf("run returned %v after shutdown", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("run did not stop after its context ended")
		}
	}
}

func slicesContain(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestRunServesTLSWithAGeneratedCertificateAndBootstraps(t *testing.T) {
	dir := t.TempDir()
	url, _, bootLine, stop := started(t, "--listen", "127.0.0.1:0", "--data", dir, "--bootstrap", "--access-key", "me:pw:ADMIN", "--appkey", "k")
	defer stop()

	var boot emulator.BootstrapResult
	if err := json.Unmarshal([]byte(bootLine), &boot); err != nil || boot.TemplateID == 0 || boot.ECTemplateID == 0 || boot.Ed25519TemplateID == 0 || boot.IntermediateCertID == 0 {
		t.Fatalf("bootstrap line %q: %+v %v", bootLine, boot, err)
	}
	certPEM, err := os.ReadFile(filepath.Join(dir, tlsCertFile))
	if err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(filepath.Join(dir, tlsKeyFile)); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", info, err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}

	token := fetchToken(t, client, url, "me", "pw")
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/v2.0/appkeys/k/ca-stores/%d", url, boot.CAStoreID), nil)
	req.Header.Set("X-NHN-AUTHORIZATION", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var env wire.Envelope[wire.Store]
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatal(err)
	}
	if !env.Header.IsSuccessful || env.Body.IssuerCnt != 2 || env.Body.TemplateCnt != 3 {
		t.Errorf("store %+v, want 2 issuers and 3 leaf templates (RSA 2048, EC P-256, Ed25519)", env)
	}
}

func TestRunGeneratesAnAdminKeyWhenNoneGiven(t *testing.T) {
	url, lines, _, stop := started(t, "--listen", "127.0.0.1:0", "--plain-http")
	defer stop()
	var id, secret string
	for _, l := range lines {
		if _, err := fmt.Sscanf(l, "pca-emulator: access key id=%s secret=%s role=ADMIN", &id, &secret); err == nil {
			break
		}
	}
	if id == "" || secret == "" || !strings.HasPrefix(url, "http://") {
		t.Fatalf("url %s, no generated ADMIN key in %q", url, lines)
	}
	fetchToken(t, http.DefaultClient, url, id, secret)
}

// fetchToken gets a token from the running command.
func fetchToken(t *testing.T, client *http.Client, url, id, secret string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/oauth2/token/create", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var tok wire.Token
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("token: HTTP %d %v", resp.StatusCode, err)
	}
	return tok.AccessToken
}

func TestServingCertIsReusedWhileItFits(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	first, _, err := loadOrCreateServingCert(dir, servingHosts("127.0.0.1", nil), now, true)
	if err != nil {
		t.Fatal(err)
	}
	again, _, err := loadOrCreateServingCert(dir, servingHosts("127.0.0.1", nil), now, false)
	if err != nil {
		t.Fatal(err)
	}
	if string(first.Certificate[0]) != string(again.Certificate[0]) {
		t.Error("a fitting certificate was not reused")
	}
	certPEM, _ := os.ReadFile(filepath.Join(dir, tlsCertFile))
	if _, _, err := loadOrCreateServingCert(dir, servingHosts("pca.example.test", nil), now, false); err == nil || !strings.Contains(err.Error(), "another pca-emulator") {
		t.Errorf("a certificate for another host replaced without the database held: %v", err)
	}
	if kept, _ := os.ReadFile(filepath.Join(dir, tlsCertFile)); string(kept) != string(certPEM) {
		t.Error("a refused replacement changed tls.crt")
	}
	other, _, err := loadOrCreateServingCert(dir, servingHosts("pca.example.test", nil), now, true)
	if err != nil {
		t.Fatal(err)
	}
	if string(first.Certificate[0]) == string(other.Certificate[0]) {
		t.Error("a certificate for another host was reused")
	}
}

func TestRestartWithDataKeepsTheState(t *testing.T) {
	dir := t.TempDir()
	args := []string{"--listen", "127.0.0.1:0", "--plain-http", "--data", dir, "--bootstrap", "--access-key", "me:pw:ADMIN", "--appkey", "k"}
	url, _, bootLine, stop := started(t, args...)
	var boot emulator.BootstrapResult
	if err := json.Unmarshal([]byte(bootLine), &boot); err != nil {
		t.Fatal(err)
	}
	token := fetchToken(t, http.DefaultClient, url, "me", "pw")
	revokePath := fmt.Sprintf("%s/v2.0/appkeys/k/ca-stores/%d/certs/%d/revoke", url, boot.CAStoreID, boot.IntermediateCertID)
	if status := apiCall(t, http.MethodPost, revokePath, token, nil); status != http.StatusOK {
		t.Fatalf("revoke: HTTP %d", status)
	}
	stop()

	url, _, again, stop := started(t, args...)
	defer stop()
	if again != bootLine {
		t.Errorf("restart bootstrapped again: %s, want the kept %s", again, bootLine)
	}
	token = fetchToken(t, http.DefaultClient, url, "me", "pw")
	var cert wire.Certificate
	if status := apiCall(t, http.MethodGet, fmt.Sprintf("%s/v2.0/appkeys/k/ca-stores/%d/certs/%d", url, boot.CAStoreID, boot.IntermediateCertID), token, &cert); status != http.StatusOK || cert.Status != wire.StatusRevoked {
		t.Errorf("after restart: HTTP %d status %s, want the revoked intermediate", status, cert.Status)
	}
	var stores wire.StoreList
	if apiCall(t, http.MethodGet, url+"/v2.0/appkeys/k/ca-stores", token, &stores); stores.TotalCnt != 1 {
		t.Errorf("%d stores after restart, want 1", stores.TotalCnt)
	}
}

func TestFaultFlagsReachTheEmulator(t *testing.T) {
	url, stderr, _, stop := started(t, "--listen", "127.0.0.1:0", "--plain-http", "--error-rate", "1", "--error-status", "429", "--admin")
	defer stop()
	var adminToken string
	for _, line := range stderr {
		if rest, ok := strings.CutPrefix(line, "pca-emulator: admin token "); ok {
			adminToken = strings.Fields(rest)[0]
		}
	}
	if adminToken == "" {
		t.Fatalf("no admin token on stderr: %q", stderr)
	}
	resp, err := http.Post(url+"/oauth2/token/create", "application/x-www-form-urlencoded", strings.NewReader("grant_type=client_credentials"))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("token under --error-rate 1: HTTP %d, want 429", resp.StatusCode)
	}
	if resp, err = http.Get(url + emulator.AdminFaultsPath); err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("admin faults without the token: HTTP %d, want 401", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, url+emulator.AdminFaultsPath, nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var f emulator.AdminFaults
	if err := json.NewDecoder(resp.Body).Decode(&f); err != nil || f.ErrorRate != 1 || f.ErrorStatus != 429 {
		t.Errorf("admin faults %+v %v", f, err)
	}
	for _, bad := range [][]string{{"--error-rate", "2"}, {"--error-status", "200", "--error-rate", "0.5"}, {"--drop-rate", "-1"}} {
		if _, err := parseFlags(bad, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) accepted", bad)
		}
	}
}

// apiCall sends one API request with a token and decodes the envelope body
// into out (when not nil); it returns the HTTP status.
func apiCall(t *testing.T, method, url, token string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	req.Header.Set("X-NHN-AUTHORIZATION", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if out != nil {
		env := wire.Envelope[any]{Body: out}
		if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

// TestServeDropsAClientThatSendsLessBodyThanItAnnounced holds serve to its
// read timeout: a request whose body never arrives in full ends.
func TestServeDropsAClientThatSendsLessBodyThanItAnnounced(t *testing.T) {
	saved := readTimeout
	readTimeout = 200 * time.Millisecond
	t.Cleanup(func() { readTimeout = saved })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.ReadAll(r.Body) })
	go func() { done <- serve(ctx, ln, h, io.Discard) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	if _, err := io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"); err != nil {
		t.Fatal(err)
	}
	// Far longer than the read timeout: the server must end the request
	// (answer or close) before this, not wait for the missing 97 bytes.
	if err := conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(conn)
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		t.Fatal("the server still held the connection after 10 s")
	}
}

func TestVersionPrintsAndRunsNothing(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"--version"}, &out, &errOut); err != nil || out.String() != "pca-emulator "+version+"\n" || errOut.Len() != 0 {
		t.Fatalf("run --version = %v, stdout %q, stderr %q; want the version alone", err, out.String(), errOut.String())
	}
}
