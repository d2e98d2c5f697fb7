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
	"time"

	"github.com/nhnpca/pca-issuer/internal/emulator"
)

// shutdownGrace is how long in-flight requests get after a signal.
const shutdownGrace = 5 * time.Second

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
	emu, err := emulator.New(emulator.Options{AppKey: cfg.appKey, AccessKeys: cfg.accessKeys, TokenLifetime: cfg.tokenLifetime})
	if err != nil {
		return err
	}
	var boot *emulator.BootstrapResult
	if cfg.bootstrap {
		if boot, err = emu.Bootstrap(emulator.BootstrapOptions{KeyAlgorithm: cfg.bootstrapAlg}); err != nil {
			return err
		}
	}
	ln, scheme, err := listen(cfg, stderr)
	if err != nil {
		return err
	}
	url := fmt.Sprintf("%s://%s", scheme, ln.Addr())
	_, _ = fmt.Fprintf(stderr, "pca-emulator: serving %s (token URL %s/oauth2/token/create) appkey=%s\n", url, url, cfg.appKey)
	for _, k := range cfg.accessKeys {
		_, _ = fmt.Fprintf(stderr, "pca-emulator: access key id=%s secret=%s role=%s\n", k.ID, k.Secret, k.Role)
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
		pair, certPath, err = loadOrCreateServingCert(cfg.dataDir, servingHosts(host), time.Now())
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
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
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
