package controller

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/nhnpca/pca-issuer/internal/pca"
)

// An issuer's endpoint on loopback is refused unless the manager allows
// loopback, and the refusal is an endpoint error (not retried).
func TestEndpointPolicyGuardsTheDial(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"t","token_type":"Bearer","expires_in":3600}`))
	}))
	defer srv.Close()
	caBundle := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	call := func(p endpointPolicy) error {
		hc, err := p.httpClient(caBundle)
		if err != nil {
			t.Fatal(err)
		}
		pc, err := pca.New(pca.Config{URL: srv.URL, TokenURL: srv.URL, AppKey: "a", AccessKeyID: "b", SecretAccessKey: "c", HTTPClient: hc})
		if err != nil {
			t.Fatal(err)
		}
		_, err = pc.GetStore(context.Background(), 1)
		return err
	}
	if err := call(endpointPolicyFrom(Options{})); !pca.IsEndpointError(err) || pca.IsRetryable(err) {
		t.Fatalf("default policy: error = %v, want a non-retryable endpoint error", err)
	}
	allowed := endpointPolicyFrom(Options{AllowedNetworks: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	if err := call(allowed); pca.IsEndpointError(err) {
		t.Fatalf("loopback allowed: error = %v, want the call to reach the server", err)
	}
}

// loopbackNetworks lets tests reach servers on this host, as the manager's
// --allowed-networks does for a local emulator.
var loopbackNetworks = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// An answer's headers are bounded like its body: a megabyte of them is an
// error, not an allocation.
func TestHugeAnswerHeadersAreRefused(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Padding", strings.Repeat("h", 1<<20))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"t","token_type":"Bearer","expires_in":3600}`))
	}))
	defer srv.Close()
	hc, err := endpointPolicyFrom(Options{AllowedNetworks: loopbackNetworks}).httpClient(
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	if err != nil {
		t.Fatal(err)
	}
	pc, err := pca.New(pca.Config{URL: srv.URL, TokenURL: srv.URL, AppKey: "a", AccessKeyID: "b", SecretAccessKey: "c", HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pc.GetStore(context.Background(), 1); err == nil || !strings.Contains(err.Error(), "header") {
		t.Fatalf("GetStore = %v, want an error about the headers' size", err)
	}
}
