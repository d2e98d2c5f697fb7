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
//
// The order keeps a failed start from harming a running instance: every
// flag is checked first, then the database is opened (which fails while
// another process holds it), and only then are files written.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, errVersion) {
		_, err = fmt.Fprintf(stdout, "pca-emulator %s\n", version)
		return err
	}
	if err != nil {
		return err
	}
	generated := len(cfg.accessKeys) == 0
	if generated {
		k, err := generatedAdminKey()
		if err != nil {
			return err
		}
		cfg.accessKeys = []emulator.AccessKey{k}
	}
	if cfg.admin {
		if cfg.adminToken, err = generatedAdminToken(); err != nil {
			return err
		}
	}
	emu, err := openEmulator(cfg)
	if err != nil {
		return err
	}
	defer func() { _ = emu.Close() }()
	ln, scheme, err := listen(cfg, stderr)
	if err != nil {
		return err
	}
	defer func() { _ = ln.Close() }()
	url := fmt.Sprintf("%s://%s", scheme, ln.Addr())
	baseURL := cfg.baseURL
	if baseURL == "" {
		baseURL = publicBaseURL(scheme, ln.Addr())
		if err := emu.SetBaseURL(baseURL); err != nil {
			return err
		}
	}
	var boot *emulator.BootstrapResult
	if cfg.bootstrap {
		if boot, err = bootstrapOnce(emu, cfg, stderr); err != nil {
			return err
		}
	}
	if cfg.adminToken != "" {
		_, _ = fmt.Fprintf(stderr, "pca-emulator: admin token %s (send it as Authorization: Bearer <token> to %s and %s)\n", cfg.adminToken, emulator.AdminFaultsPath, emulator.AdminStatsPath)
	}
	_, _ = fmt.Fprintf(stderr, "pca-emulator: serving %s (token URL %s/oauth2/token/create) appkey=%s base-url=%s\n", url, url, cfg.appKey, baseURL)
	if cfg.dataDir != "" {
		_, _ = fmt.Fprintf(stderr, "pca-emulator: state kept in %s\n", filepath.Join(cfg.dataDir, emulator.DBFileName))
	}
	printAccessKeys(stderr, cfg.accessKeys, generated)
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

// openEmulator makes the emulator, opening the database of --data. The
// base URL is set once the listener's address is known, unless --base-url
// gave it. A database held by another process or damaged is explained in
// terms of --data.
func openEmulator(cfg config) (*emulator.Emulator, error) {
	emu, err := emulator.New(emulator.Options{
		AppKey: cfg.appKey, AccessKeys: cfg.accessKeys, TokenLifetime: cfg.tokenLifetime,
		DataDir: cfg.dataDir, BaseURL: cfg.baseURL, AdminToken: cfg.adminToken, Faults: cfg.faults,
	})
	db := filepath.Join(cfg.dataDir, emulator.DBFileName)
	switch {
	case errors.Is(err, emulator.ErrDataLocked):
		return nil, fmt.Errorf("--data %s: another process holds %s (is another pca-emulator running on this folder?): stop it, or pass another --data", cfg.dataDir, db)
	case errors.Is(err, emulator.ErrDataDamaged):
		return nil, fmt.Errorf("--data %s: %w; nothing was changed: move %s away to start with an empty state (a kept %s is checked and made again), or restore a copy", cfg.dataDir, err, db, bootstrapFile)
	}
	return emu, err
}

// printAccessKeys tells the access keys on stderr: a generated key with its
// secret (nobody else knows it), keys from --access-key without theirs (the
// user typed them; logs need not repeat them).
func printAccessKeys(stderr io.Writer, keys []emulator.AccessKey, generated bool) {
	for _, k := range keys {
		if generated {
			_, _ = fmt.Fprintf(stderr, "pca-emulator: access key id=%s secret=%s role=%s (generated)\n", k.ID, k.Secret, k.Role)
			continue
		}
		_, _ = fmt.Fprintf(stderr, "pca-emulator: access key id=%s role=%s (secret as given by --access-key)\n", k.ID, k.Role)
	}
}

// bootstrapFile keeps the bootstrap ids in --data, so a restart with
// --bootstrap reuses the CA instead of making another.
const bootstrapFile = "bootstrap.json"

// bootstrapOnce runs Bootstrap, or with --data returns the ids a previous
// run kept there while the database still holds what they name. When it
// does not (the database was emptied, deleted or replaced), it says so on
// stderr, bootstraps again and keeps the new ids.
func bootstrapOnce(emu *emulator.Emulator, cfg config, stderr io.Writer) (*emulator.BootstrapResult, error) {
	var kept string
	if cfg.dataDir != "" {
		kept = filepath.Join(cfg.dataDir, bootstrapFile)
		if b, err := os.ReadFile(kept); err == nil {
			var boot emulator.BootstrapResult
			if err := json.Unmarshal(b, &boot); err != nil {
				return nil, fmt.Errorf("%s: %w (delete it to bootstrap again)", kept, err)
			}
			held, err := emu.BootstrapHeld(boot)
			if err != nil {
				return nil, err
			}
			if held {
				return &boot, nil
			}
			_, _ = fmt.Fprintf(stderr, "pca-emulator: %s names store %d, certificates %d and %d and template %d, which %s does not hold; bootstrapping again\n",
				kept, boot.CAStoreID, boot.RootCertID, boot.IntermediateCertID, boot.TemplateID, emulator.DBFileName)
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
	return boot, writeFileAtomic(kept, b, 0o600)
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
		// With --data this process holds the folder's database, so no other
		// instance serves its certificate.
		mayReplace := cfg.dataDir != ""
		pair, certPath, err = loadOrCreateServingCert(cfg.tlsDir(), servingHosts(host, cfg.tlsSANs), time.Now(), mayReplace)
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
