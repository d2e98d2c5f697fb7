package harness

import (
	"encoding/pem"
	"fmt"
	"net/http/httptest"

	"github.com/nhnpca/pca-issuer/internal/emulator"
)

// Fixed credentials of the embedded emulator; config/samples uses them.
const (
	// AppKey is the emulator's appkey.
	AppKey = "local-appkey"
	// AccessKeyID is the emulator's ADMIN User Access Key ID.
	AccessKeyID = "local-admin"
	// SecretAccessKey is that key's secret.
	SecretAccessKey = "local-admin-secret"
)

// pcaEmulator is the emulator serving HTTPS on a loopback port.
type pcaEmulator struct {
	emu      *emulator.Emulator
	server   *httptest.Server
	caBundle []byte
	ids      *emulator.BootstrapResult
}

// startEmulator serves a fresh emulator over TLS and bootstraps a store,
// root, intermediate and leaf template with a root key of keyAlgorithm
// ("EC" or "RSA").
func startEmulator(keyAlgorithm string) (*pcaEmulator, error) {
	emu, err := emulator.New(emulator.Options{
		AppKey:     AppKey,
		AccessKeys: []emulator.AccessKey{{ID: AccessKeyID, Secret: SecretAccessKey, Role: "ADMIN"}},
	})
	if err != nil {
		return nil, fmt.Errorf("harness: emulator: %w", err)
	}
	ids, err := emu.Bootstrap(emulator.BootstrapOptions{KeyAlgorithm: keyAlgorithm})
	if err != nil {
		return nil, fmt.Errorf("harness: emulator bootstrap: %w", err)
	}
	server := httptest.NewUnstartedServer(emu.Handler())
	server.StartTLS()
	// Certificates carry CRL and OCSP URLs only when the base URL is known.
	if err := emu.SetBaseURL(server.URL); err != nil {
		server.Close()
		return nil, err
	}
	caBundle := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: server.Certificate().Raw})
	return &pcaEmulator{emu: emu, server: server, caBundle: caBundle, ids: ids}, nil
}
