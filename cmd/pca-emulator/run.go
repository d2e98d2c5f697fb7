package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/nhnpca/pca-issuer/internal/emulator"
)

// shutdownGrace is how long in-flight requests get after a signal.
const shutdownGrace = 5 * time.Second

// readTimeout bounds reading one request, body included: a client that
// announces more body than it sends must not hold a connection and its
// goroutine for ever. Requests are at most a few MiB (CSR, OCSP).
var readTimeout = 30 * time.Second

// run starts the emulator and serves until ctx ends, then shuts down
// gracefully. Human-readable lines go to stderr; the bootstrap ids (with
// --bootstrap) go to stdout as one JSON line once the listener is up.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if len(cfg.accessKeys) == 0 {
		k, err := generatedAdminKey()
		if err != nil {
			return err
		}
		cfg.accessKeys = []emulator.AccessKey{k}
	}
	ln, scheme, err := listen(cfg, stderr)
	if err != nil {
		return err
	}
	defer func() { _ = ln.Close() }()
	url := fmt.Sprintf("%s://%s", scheme, ln.Addr())
	baseURL := cfg.baseURL
	if baseURL == "" {
		baseURL = publicBaseURL(scheme, ln.Addr())
	}
	emu, err := emulator.New(emulator.Options{
		AppKey: cfg.appKey, AccessKeys: cfg.accessKeys, TokenLifetime: cfg.tokenLifetime,
		DataDir: cfg.dataDir, BaseURL: baseURL, Admin: cfg.admin, Faults: cfg.faults,
	})
	if err != nil {
		return err
	}
	defer func() { _ = emu.Close() }()
	var boot *emulator.BootstrapResult
	if cfg.bootstrap {
		if boot, err = bootstrapOnce(emu, cfg); err != nil {
			return err
		}
	}
	_, _ = fmt.Fprintf(stderr, "pca-emulator: serving %s (token URL %s/oauth2/token/create) appkey=%s base-url=%s\n", url, url, cfg.appKey, baseURL)
	if cfg.dataDir != "" {
		_, _ = fmt.Fprintf(stderr, "pca-emulator: state kept in %s\n", filepath.Join(cfg.dataDir, emulator.DBFileName))
	}
	for _, k := range cfg.accessKeys {
		_, _ = fmt.Fprintf(stderr, "pca-emulator: access key id=%s secret=%s role=%s\n", k.ID, k.Secret, k.Role)
	}
	if cfg.faults != (emulator.Faults{ErrorStatus: cfg.faults.ErrorStatus}) {
		_, _ = fmt.Fprintf(stderr, "pca-emulator: faults %s\n", emu.Faults())
	}
	if boot != nil {
		line, err := json.Marshal(boot)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(stdout, "%s\n", line); err != nil {
			return err
		}
	}
	return serve(ctx, ln, emu.Handler(), stderr)
}

// bootstrapFile keeps the bootstrap ids in --data, so a restart with
// --bootstrap reuses the CA instead of making another.
const bootstrapFile = "bootstrap.json"

// bootstrapOnce runs Bootstrap, or with --data reads the ids a previous run
// kept there.
func bootstrapOnce(emu *emulator.Emulator, cfg config) (*emulator.BootstrapResult, error) {
	var kept string
	if cfg.dataDir != "" {
		kept = filepath.Join(cfg.dataDir, bootstrapFile)
		if b, err := os.ReadFile(kept); err == nil {
			var boot emulator.BootstrapResult
			if err := json.Unmarshal(b, &boot); err != nil {
				return nil, fmt.Errorf("%s: %w", kept, err)
			}
			return &boot, nil
		}
	}
	boot, err := emu.Bootstrap(emulator.BootstrapOptions{KeyAlgorithm: cfg.bootstrapAlg})
	if err != nil || kept == "" {
		return boot, err
	}
	b, err := json.Marshal(boot)
	if err != nil {
		return nil, err
	}
	return boot, os.WriteFile(kept, b, 0o600)
}

// publicBaseURL is the base URL clients reach the listener at: its address,
// or this machine's name when it listens on every address.
func publicBaseURL(scheme string, addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return scheme + "://" + addr.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		if name, err := os.Hostname(); err == nil {
			host = name
		}
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// listen opens the listener: TLS with --tls-cert/--tls-key or a generated
// certificate in --data, or plain TCP with --plain-http. It tells the path
// of a generated certificate on stderr.
func listen(cfg config, stderr io.Writer) (net.Listener, string, error) {
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return nil, "", err
	}
	if cfg.plainHTTP {
		return ln, "http", nil
	}
	var pair tls.Certificate
	if cfg.tlsCert != "" {
		pair, err = tls.LoadX509KeyPair(cfg.tlsCert, cfg.tlsKey)
	} else {
		host, _, _ := net.SplitHostPort(cfg.listen)
		var certPath string
		pair, certPath, err = loadOrCreateServingCert(cfg.tlsDir(), servingHosts(host), time.Now())
		if err == nil {
			_, _ = fmt.Fprintf(stderr, "pca-emulator: serving certificate %s (trust it with curl --cacert or as a caBundle)\n", certPath)
		}
	}
	if err != nil {
		_ = ln.Close()
		return nil, "", fmt.Errorf("serving certificate: %w", err)
	}
	return tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}), "https", nil
}

// serve runs the HTTP server until ctx ends, then drains it.
func serve(ctx context.Context, ln net.Listener, h http.Handler, stderr io.Writer) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: readTimeout, IdleTimeout: 2 * time.Minute}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	_, _ = fmt.Fprintln(stderr, "pca-emulator: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
