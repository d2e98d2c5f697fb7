package emulator

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestServingCertificateServesTLS(t *testing.T) {
	certPEM, keyPEM, err := NewServingCertificate([]string{"localhost", "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatalf("certificate and key do not match: %v", err)
	}
	emu, err := New(Options{AppKey: "a", AccessKeys: []AccessKey{{"id", "secret", RoleAdmin}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(emu.Handler())
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
	srv.StartTLS()
	defer srv.Close()

	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(certPEM) {
		t.Fatal("certificate PEM does not load")
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/oauth2/token/create", nil)
	req.SetBasicAuth("id", "secret")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("TLS with the certificate as the only root failed: %v", err)
	}
	_ = resp.Body.Close()

	if _, _, err := NewServingCertificate(nil); err == nil {
		t.Error("no hosts accepted")
	}
}
