package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/nhnpca/pca-issuer/internal/emulator"
)

// errUsage is returned after the flag package has already told the user.
var errUsage = errors.New("usage")

// config is the parsed command line.
type config struct {
	listen        string
	dataDir       string
	tlsCert       string
	tlsKey        string
	plainHTTP     bool
	appKey        string
	accessKeys    []emulator.AccessKey
	tokenLifetime time.Duration
	bootstrap     bool
	bootstrapAlg  string
	baseURL       string
	admin         bool
	faults        emulator.Faults
}

// defaultTLSDir holds the generated serving certificate when --data is not
// given (state is then in memory, but clients keep trusting one file).
const defaultTLSDir = "pca-emulator-data"

// tlsDir is where the generated serving certificate lives: --data, or
// defaultTLSDir.
func (c config) tlsDir() string {
	if c.dataDir != "" {
		return c.dataDir
	}
	return defaultTLSDir
}

// accessKeyFlag collects repeated --access-key ID:SECRET:ROLE values.
type accessKeyFlag struct{ keys *[]emulator.AccessKey }

func (f accessKeyFlag) String() string { return "" }

func (f accessKeyFlag) Set(v string) error {
	k, err := parseAccessKey(v)
	if err != nil {
		return err
	}
	*f.keys = append(*f.keys, k)
	return nil
}

// parseAccessKey reads ID:SECRET:ROLE. The ID ends at the first colon and
// the role starts after the last, so a secret may hold colons.
func parseAccessKey(v string) (emulator.AccessKey, error) {
	first, last := strings.Index(v, ":"), strings.LastIndex(v, ":")
	if first < 0 || first == last {
		return emulator.AccessKey{}, fmt.Errorf("access key %q: want ID:SECRET:ROLE", v)
	}
	k := emulator.AccessKey{ID: v[:first], Secret: v[first+1 : last], Role: strings.ToUpper(v[last+1:])}
	if k.ID == "" || k.Secret == "" {
		return emulator.AccessKey{}, fmt.Errorf("access key %q: ID and SECRET must not be empty", v)
	}
	if k.Role != emulator.RoleAdmin && k.Role != emulator.RoleViewer {
		return emulator.AccessKey{}, fmt.Errorf("access key %q: ROLE must be ADMIN or VIEWER", v)
	}
	return k, nil
}

// parseFlags reads the command line. Help and flag errors are written to
// stderr and answered with errUsage.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("pca-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.listen, "listen", "127.0.0.1:9443", "address to listen on (host:port; port 0 picks a free one)")
	fs.StringVar(&c.dataDir, "data", "", "folder that keeps the state (stores, certificates, keys, templates, revocations, CRLs in "+emulator.DBFileName+") across restarts, and the generated tls.crt and tls.key; without it the state is in memory and tls.crt/tls.key go to ./"+defaultTLSDir)
	fs.StringVar(&c.tlsCert, "tls-cert", "", "PEM serving certificate to use instead of a generated one (with --tls-key)")
	fs.StringVar(&c.tlsKey, "tls-key", "", "PEM private key of --tls-cert")
	fs.BoolVar(&c.plainHTTP, "plain-http", false, "serve plain HTTP instead of HTTPS")
	fs.StringVar(&c.appKey, "appkey", "local-appkey", "the appkey the API paths accept")
	fs.Var(accessKeyFlag{&c.accessKeys}, "access-key", "access key `ID:SECRET:ROLE` (ROLE ADMIN or VIEWER); repeatable; when none is given one ADMIN key is generated and printed")
	fs.DurationVar(&c.tokenLifetime, "token-lifetime", emulator.DefaultTokenLifetime, "lifetime of issued tokens (expires_in), at least 1s")
	fs.BoolVar(&c.bootstrap, "bootstrap", false, "create a store, root, intermediate and leaf templates for RSA 2048, EC P-256 and Ed25519 keys at start and print their ids as JSON on stdout (with --data, only once: later runs print the kept ids)")
	fs.StringVar(&c.baseURL, "base-url", "", "public base URL put in certificates' CRL and OCSP URLs (default: the scheme and listen address)")
	fs.BoolVar(&c.admin, "admin", false, "serve the admin routes "+emulator.AdminFaultsPath+" (GET/PUT) and "+emulator.AdminStatsPath+" without auth")
	fs.DurationVar(&c.faults.Latency, "latency", 0, "delay added to the token and API routes")
	fs.Float64Var(&c.faults.ErrorRate, "error-rate", 0, "chance 0..1 that a token or API request is answered with --error-status")
	fs.IntVar(&c.faults.ErrorStatus, "error-status", 503, "status of injected errors (429, 500, 503, ...)")
	fs.Float64Var(&c.faults.DropRate, "drop-rate", 0, "chance 0..1 that a token or API request's connection is closed without an answer")
	fs.Float64Var(&c.faults.FailAfterIssueRate, "fail-after-issue-rate", 0, "chance 0..1 that a template issuance succeeds but its answer is lost")
	fs.IntVar(&c.faults.FailAfterIssueStatus, "fail-after-issue-status", 0, "status answered after such an issuance; 0 drops the connection")
	fs.StringVar(&c.bootstrapAlg, "bootstrap-key-algorithm", "EC", "key algorithm of the bootstrap CA: RSA or EC")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, flag.ErrHelp
		}
		return c, errUsage
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if (c.tlsCert == "") != (c.tlsKey == "") {
		return c, errors.New("--tls-cert and --tls-key go together")
	}
	if c.tokenLifetime < time.Second {
		return c, fmt.Errorf("--token-lifetime %v is below 1s", c.tokenLifetime)
	}
	if err := c.faults.Validate(); err != nil {
		return c, err
	}
	c.bootstrapAlg = strings.ToUpper(c.bootstrapAlg)
	if c.bootstrapAlg != "RSA" && c.bootstrapAlg != "EC" {
		return c, fmt.Errorf("--bootstrap-key-algorithm %q: want RSA or EC", c.bootstrapAlg)
	}
	return c, nil
}

// generatedAdminKey makes a random ADMIN access key for a run without
// --access-key.
func generatedAdminKey() (emulator.AccessKey, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return emulator.AccessKey{}, err
	}
	return emulator.AccessKey{ID: "admin-" + hex.EncodeToString(b[:4]), Secret: hex.EncodeToString(b[4:]), Role: emulator.RoleAdmin}, nil
}
