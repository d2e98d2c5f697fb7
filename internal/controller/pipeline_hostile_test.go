package controller

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/emulator"
	"github.com/nhnpca/pca-issuer/internal/pca"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// secretPage is the body of the page another host serves; it must never
// reach a request's status.
const secretPage = "SECRET-PAGE-OF-ANOTHER-HOST"

// hostileFront serves the emulator, except that issuance answers come from
// answer, which sees the request body and the emulator's real answer.
type hostileFront struct {
	emu    http.Handler
	answer func(w http.ResponseWriter, body []byte, real func(body []byte) []byte)
}

func (h *hostileFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/certificates") || !strings.Contains(r.URL.Path, "/templates/") {
		h.emu.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	real := func(b []byte) []byte {
		rec := httptest.NewRecorder()
		req := r.Clone(r.Context())
		req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		h.emu.ServeHTTP(rec, req)
		return rec.Body.Bytes()
	}
	h.answer(w, body, real)
}

// editRequest changes the issuance body before the emulator sees it.
func editRequest(edit func(*wire.IssueRequest)) func(http.ResponseWriter, []byte, func([]byte) []byte) {
	return func(w http.ResponseWriter, body []byte, real func([]byte) []byte) {
		var req wire.IssueRequest
		_ = json.Unmarshal(body, &req)
		edit(&req)
		b, _ := json.Marshal(req)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(real(b))
	}
}

// foreignAnswer answers with a chain of a CA that is not the store's: a
// root valid rootFor, and a leaf for the CSR's key shaped by edit.
func foreignAnswer(t *testing.T, rootFor time.Duration, edit func(leaf *x509.Certificate)) func(http.ResponseWriter, []byte, func([]byte) []byte) {
	return func(w http.ResponseWriter, body []byte, _ func([]byte) []byte) {
		var req wire.IssueRequest
		_ = json.Unmarshal(body, &req)
		block, _ := pem.Decode([]byte(req.Csr))
		csr, err := x509.ParseCertificateRequest(block.Bytes)
		if err != nil {
			t.Error(err)
			return
		}
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		start := time.Now().Add(-time.Minute)
		rootTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Foreign Root"},
			NotBefore: start.Add(-3 * time.Hour), NotAfter: start.Add(rootFor), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
		rootDER, _ := x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, key.Public(), key)
		root, _ := x509.ParseCertificate(rootDER)
		leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: csr.Subject, DNSNames: csr.DNSNames,
			NotBefore: start, NotAfter: start.Add(50 * time.Minute), BasicConstraintsValid: true, KeyUsage: x509.KeyUsageDigitalSignature}
		edit(leafTmpl)
		leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, root, csr.PublicKey, key)
		if err != nil {
			t.Error(err)
			return
		}
		answer := map[string]any{"header": map[string]any{"isSuccessful": true, "resultCode": 0, "resultMessage": "SUCCESS"},
			"body": wire.Certificate{CertificateID: 99, SerialNumber: "02", CommonName: csr.Subject.CommonName, IsLeaf: true,
				CertificatePem:      string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leafDER})),
				ChainCertificatePem: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: rootDER}))}}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(answer)
	}
}

// TestHostileAnswersAreNeverWritten plays a PCA endpoint that answers the
// issuer's check truthfully and then lies, floods, stalls or redirects on
// issuance. Each answer is refused with its cause named in the request's
// condition; no certificate is written and no other host's text appears.
func TestHostileAnswersAreNeverWritten(t *testing.T) {
	elsewhere := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, secretPage)
	}))
	t.Cleanup(elsewhere.Close)
	cases := []struct {
		name   string
		answer func(w http.ResponseWriter, body []byte, real func([]byte) []byte)
		cause  string
	}{
		{name: "certificate-for-another-key", answer: editRequest(func(r *wire.IssueRequest) { r.Csr = string(csrPEM(t, r.CommonName)) }),
			cause: "carries the CSR's public key"},
		{name: "chain-that-does-not-verify", answer: func(w http.ResponseWriter, body []byte, real func([]byte) []byte) {
			var env struct {
				Header json.RawMessage  `json:"header"`
				Body   wire.Certificate `json:"body"`
			}
			_ = json.Unmarshal(real(body), &env)
			env.Body.ChainCertificatePem = newTestCA(t).certPEM
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(env)
		}, cause: "do not form one chain"},
		{name: "a-name-not-requested", answer: foreignAnswer(t, 24*time.Hour, func(l *x509.Certificate) { l.DNSNames = append(l.DNSNames, "bank.example") }),
			cause: "no unrequested name"},
		{name: "a-ca-leaf", answer: foreignAnswer(t, 24*time.Hour, func(l *x509.Certificate) { l.IsCA = true }), cause: "not a CA"},
		{name: "expired", answer: foreignAnswer(t, 24*time.Hour, func(l *x509.Certificate) {
			l.NotBefore, l.NotAfter = l.NotBefore.Add(-2*time.Hour), l.NotBefore.Add(-time.Hour)
		}),
			cause: "valid now"},
		{name: "valid-past-its-root", answer: foreignAnswer(t, 30*time.Minute, func(*x509.Certificate) {}), cause: "within its issuers"},
		{name: "a-foreign-root", answer: foreignAnswer(t, 24*time.Hour, func(*x509.Certificate) {}), cause: "the template's CA"},
		{name: "a-10-MiB-body", answer: func(w http.ResponseWriter, _ []byte, _ func([]byte) []byte) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(bytes.Repeat([]byte(" "), 10<<20))
		}, cause: "exceeds"},
		{name: "a-body-sent-one-byte-at-a-time", answer: func(w http.ResponseWriter, _ []byte, _ func([]byte) []byte) {
			w.Header().Set("Content-Type", "application/json")
			for i := 0; i < 100; i++ {
				if _, err := w.Write([]byte("{")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				time.Sleep(200 * time.Millisecond)
			}
		}, cause: "deadline exceeded"},
		{name: "a-redirect-to-another-host", answer: func(w http.ResponseWriter, _ []byte, _ func([]byte) []byte) {
			w.Header().Set("Location", elsewhere.URL+"/issue")
			w.WriteHeader(http.StatusTemporaryRedirect)
		}, cause: "a redirect to another host or scheme is not followed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cr := hostileRun(t, tc.answer)
			c := readyCondition(cr)
			if len(cr.Status.Certificate) != 0 || len(cr.Status.CA) != 0 {
				t.Fatalf("a certificate was written: %d bytes", len(cr.Status.Certificate))
			}
			if c == nil || c.Reason != cmapi.CertificateRequestReasonPending || !strings.Contains(c.Message, tc.cause) {
				t.Fatalf("Ready = %+v; want Pending naming %q", c, tc.cause)
			}
			if strings.Contains(c.Message, secretPage) {
				t.Fatalf("another host's page reached the status: %s", c.Message)
			}
		})
	}
}

// The same set-up with a truthful endpoint writes the certificate: the
// refusals above are the checks' doing, not the set-up's.
func TestTruthfulAnswerBehindTheHostileFrontIsWritten(t *testing.T) {
	cr := hostileRun(t, func(w http.ResponseWriter, body []byte, real func([]byte) []byte) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(real(body))
	})
	if c := readyCondition(cr); c == nil || c.Reason != cmapi.CertificateRequestReasonIssued || len(cr.Status.Certificate) == 0 {
		t.Fatalf("Ready = %+v with %d certificate bytes; want Issued", c, len(cr.Status.Certificate))
	}
}

// hostileRun reconciles one approved CertificateRequest once against the
// emulator behind answer, with the issuer's store roots pinned as its
// check pins them, and returns the request as written.
func hostileRun(t *testing.T, answer func(http.ResponseWriter, []byte, func([]byte) []byte)) *cmapi.CertificateRequest {
	t.Helper()
	emu, err := emulator.New(emulator.Options{AppKey: "app", AccessKeys: []emulator.AccessKey{{ID: "id", Secret: "secret", Role: emulator.RoleAdmin}}})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := emu.Bootstrap(emulator.BootstrapOptions{KeyAlgorithm: "EC"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(&hostileFront{emu: emu.Handler(), answer: answer})
	t.Cleanup(srv.Close)
	hc, err := endpointPolicyFrom(Options{AllowedNetworks: loopbackNetworks}).httpClient(
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	if err != nil {
		t.Fatal(err)
	}
	pc, err := pca.New(pca.Config{URL: srv.URL, TokenURL: srv.URL, AppKey: "app", AccessKeyID: "id", SecretAccessKey: "secret", HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	iss := readyIssuer()
	iss.Spec.CAStoreID, iss.Spec.TemplateID, iss.Spec.AllowedTemplateIDs = ids.CAStoreID, ids.ECTemplateID, nil
	f := newFixture(t, []client.Object{iss, approvedCR(t)})
	// Pinned as the issuer's check pins them, before the front turns hostile.
	f.p.pins = newCAPins()
	tmpl, err := pc.GetTemplate(t.Context(), ids.CAStoreID, ids.ECTemplateID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.p.pins.chainFor(t.Context(), pc, types.NamespacedName{Namespace: iss.Namespace, Name: iss.Name}, ids.CAStoreID, tmpl); err != nil {
		t.Fatal(err)
	}
	f.p.pcaFor = func(context.Context, v1alpha1.Issuer) (pcaAPI, error) { return pc, nil }
	f.p.clock = clock.RealClock{}
	f.p.opts.ReconcileTimeout = 3 * time.Second
	key := types.NamespacedName{Namespace: "team", Name: "web"}
	// The error only says how to requeue; the status says what happened.
	_, _ = f.crr.Reconcile(t.Context(), ctrl.Request{NamespacedName: key})
	var cr cmapi.CertificateRequest
	if err := f.client.Get(t.Context(), key, &cr); err != nil {
		t.Fatal(err)
	}
	return &cr
}
