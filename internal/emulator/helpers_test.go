package emulator

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

const (
	testAppKey = "test-appkey"
	adminID    = "admin-id"
	adminKey   = "admin-secret"
	viewerID   = "viewer-id"
	viewerKey  = "viewer-secret"
)

// fakeClock is an injectable clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// harness is an emulator behind an httptest server with an ADMIN and a
// VIEWER token.
type harness struct {
	t      *testing.T
	emu    *Emulator
	clock  *fakeClock
	srv    *httptest.Server
	admin  string
	viewer string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	clock := &fakeClock{t: time.Now().UTC().Truncate(time.Second)}
	emu, err := New(Options{
		AppKey:        testAppKey,
		AccessKeys:    []AccessKey{{adminID, adminKey, RoleAdmin}, {viewerID, viewerKey, RoleViewer}},
		TokenLifetime: time.Hour,
		Now:           clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)
	if err := emu.SetBaseURL(srv.URL); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, emu: emu, clock: clock, srv: srv}
	h.admin = h.token(adminID, adminKey)
	h.viewer = h.token(viewerID, viewerKey)
	return h
}

// token gets a token from the token endpoint or fails the test.
func (h *harness) token(id, secret string) string {
	h.t.Helper()
	resp := h.tokenRequest(id, secret, "client_credentials")
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("token: HTTP %d", resp.StatusCode)
	}
	var tok wire.Token
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
		h.t.Fatal(err)
	}
	return tok.AccessToken
}

func (h *harness) tokenRequest(id, secret, grant string) *http.Response {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/oauth2/token/create", strings.NewReader(url.Values{"grant_type": {grant}}.Encode()))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != "" {
		req.SetBasicAuth(id, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp
}

// reply is a decoded API answer.
type reply struct {
	status int
	header wire.Header
	body   json.RawMessage
}

// path is an API path under the test appkey.
func path(format string, args ...any) string {
	return "/v2.0/appkeys/" + testAppKey + "/ca-stores" + fmt.Sprintf(format, args...)
}

// call sends one API request with a JSON body (none when nil) and a token
// (none when empty), and decodes the answer's envelope.
func (h *harness) call(method, p, token string, body any) reply {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	status, _, raw := h.raw(method, p, token, rd, "application/json")
	var env wire.Envelope[json.RawMessage]
	if err := json.Unmarshal(raw, &env); err != nil {
		h.t.Fatalf("%s %s: HTTP %d, body is not an envelope: %v", method, p, status, err)
	}
	return reply{status: status, header: env.Header, body: env.Body}
}

// raw sends one request and returns the status, headers and body as is.
func (h *harness) raw(method, p, token string, body io.Reader, contentType string) (int, http.Header, []byte) {
	h.t.Helper()
	req, err := http.NewRequest(method, h.srv.URL+p, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("X-NHN-AUTHORIZATION", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// ok sends a request as ADMIN, wants success and decodes the body into out.
func (h *harness) ok(method, p string, body, out any) {
	h.t.Helper()
	r := h.call(method, p, h.admin, body)
	if r.status != http.StatusOK || !r.header.IsSuccessful || r.header.ResultCode != 0 {
		h.t.Fatalf("%s %s: HTTP %d %+v", method, p, r.status, r.header)
	}
	if out != nil {
		if err := json.Unmarshal(r.body, out); err != nil {
			h.t.Fatal(err)
		}
	}
}

// wantError checks a failure answer: status, the error envelope, a null
// body and a message containing want (usually the field name).
func (r reply) wantError(t *testing.T, status int, want string) {
	t.Helper()
	if r.status != status {
		t.Errorf("HTTP %d, want %d (%+v)", r.status, status, r.header)
	}
	if r.header.IsSuccessful || r.header.ResultCode == 0 {
		t.Errorf("header %+v, want isSuccessful false and a non-zero resultCode", r.header)
	}
	if string(r.body) != "null" {
		t.Errorf("body %s, want null", r.body)
	}
	if !strings.Contains(r.header.ResultMessage, want) {
		t.Errorf("message %q does not contain %q", r.header.ResultMessage, want)
	}
}

// bootstrap runs Bootstrap or fails the test.
func (h *harness) bootstrap(alg string) *BootstrapResult {
	h.t.Helper()
	res, err := h.emu.Bootstrap(BootstrapOptions{KeyAlgorithm: alg})
	if err != nil {
		h.t.Fatal(err)
	}
	return res
}

// createTemplate makes a template under parent with the bootstrap's
// settings changed by edit, and returns its id.
func (h *harness) createTemplate(storeID, parent int64, edit func(*wire.TemplateRequest)) int64 {
	h.t.Helper()
	req := baseTemplate(parent)
	if edit != nil {
		edit(&req)
	}
	var created wire.TemplateCreated
	h.ok(http.MethodPost, path("/%d/templates", storeID), req, &created)
	return created.TemplateID
}

// baseTemplate is a leaf template: EC P-256, one-year maxTTL, server auth.
func baseTemplate(parent int64) wire.TemplateRequest {
	return wire.TemplateRequest{
		Name: "leaf", ParentCertID: parent, MaxTTL: ptr(int64(365 * 24 * 3600)),
		KeyInfo:          wire.KeyInfo{Algorithm: "EC", KeySize: 256},
		KeyUsage:         []string{wire.KeyUsageDigitalSignature},
		ExtendedKeyUsage: []string{wire.ExtKeyUsageServerAuth},
	}
}

// newCSR makes a P-256 key and a PEM CSR for cn and the given SANs.
func newCSR(t *testing.T, cn string, dns []string, ips []net.IP, uris []*url.URL) (crypto.Signer, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key, csrOfKey(t, key, cn, dns, ips, uris)
}

// csrOfKey makes a PEM CSR of key for cn and the given SANs.
func csrOfKey(t *testing.T, key crypto.Signer, cn string, dns []string, ips []net.IP, uris []*url.URL) string {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: cn}, DNSNames: dns, IPAddresses: ips, URIs: uris,
	}, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
}

// parsePEMCerts reads every CERTIFICATE block of a PEM text.
func parsePEMCerts(t *testing.T, text string) []*x509.Certificate {
	t.Helper()
	var out []*x509.Certificate
	rest := []byte(text)
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return out
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, cert)
	}
}

// certOf fetches a certificate's detail and parses its PEM.
func (h *harness) certOf(storeID, certID int64) (wire.Certificate, *x509.Certificate) {
	h.t.Helper()
	var d wire.Certificate
	h.ok(http.MethodGet, path("/%d/certs/%d", storeID, certID), nil, &d)
	certs := parsePEMCerts(h.t, d.CertificatePem)
	if len(certs) != 1 {
		h.t.Fatalf("certificatePem holds %d certificates", len(certs))
	}
	return d, certs[0]
}

// rsaKey makes an RSA key of bits.
func rsaKey(t *testing.T, bits int) crypto.Signer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// itoa writes an id in decimal.
func itoa(id int64) string { return fmt.Sprint(id) }

// pemBlock decodes the first PEM block of text, which must be of typ.
func pemBlock(t *testing.T, text, typ string) []byte {
	t.Helper()
	block, _ := pem.Decode([]byte(text))
	if block == nil || block.Type != typ {
		t.Fatalf("no PEM %s in %q", typ, text)
	}
	return block.Bytes
}
