// Command pca-emulator runs a local NHN Cloud Private CA API v2.0 server for
// demos, tests and local development.
//
// It serves HTTPS on 127.0.0.1:9443 by default with a self-signed serving
// certificate written to the data folder (tls.crt, tls.key): pass tls.crt to
// curl --cacert or use it as a caBundle. Human-readable lines go to stderr;
// with --bootstrap the ids of the made CA go to stdout as one JSON line, e.g.
//
//	{"caStoreId":1,"rootCertId":1,"intermediateCertId":2,"templateId":1,"rsaTemplateId":1,"ecTemplateId":2,"ed25519TemplateId":3}
//
// Run "pca-emulator -h" for the flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// version is stamped at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // --help: usage printed, not a failure
		}
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "pca-emulator:", err)
		}
		var bad usageError
		if errors.Is(err, errUsage) || errors.As(err, &bad) {
			os.Exit(2) // the command line is wrong, as flag.ExitOnError exits
		}
		os.Exit(1)
	}
}
