package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/nhnpca/pca-issuer/internal/emulator"
)

// errUsage is returned after the flag package has already told the user.
var errUsage = errors.New("usage")

// usageError is a command line the flags parse but that cannot run: a value
// out of range or flags that do not go together. Its message names the flag
// as typed; main exits 2 for it, as for errUsage.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// usagef makes a usageError.
func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// config is the parsed command line.
type config struct {
	listen        string
	dataDir       string
	tlsCert       string
	tlsKey        string
	tlsSANs       []string
	plainHTTP     bool
	appKey        string
	accessKeys    []emulator.AccessKey
	tokenLifetime time.Duration
	bootstrap     bool
	bootstrapAlg  string
	baseURL       string
	admin         bool
	adminToken    string
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

// listFlag collects the values of a repeatable string flag.
type listFlag struct{ values *[]string }

func (f listFlag) String() string { return "" }

func (f listFlag) Set(v string) error {
	*f.values = append(*f.values, v)
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

// errVersion is returned by parseFlags for --version.
var errVersion = errors.New("version asked")

// parseFlags reads the command line and checks it whole (validate), so that
// a run that cannot work stops before it opens or writes any file. Help and
// flag-package errors are written to stderr and answered with
// flag.ErrHelp and errUsage; a bad value is a usageError.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("pca-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		_, _ = fmt.Fprintf(stderr, "pca-emulator: a local NHN Cloud Private CA API v2.0 server for demos, tests and development.\n\nUsage: pca-emulator [flags]\n\nIt runs in the foreground until interrupted. Flags:\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&c.listen, "listen", "127.0.0.1:9443", "address to listen on (host:port; port 0 picks a free one); a host other than loopback is put in the generated serving certificate, and an empty or unspecified host (\":9443\", \"0.0.0.0:9443\") puts this machine's name and addresses there")
	fs.StringVar(&c.dataDir, "data", "", "folder that keeps the state (stores, certificates, keys, templates, revocations, CRLs in "+emulator.DBFileName+") across restarts, and the generated tls.crt and tls.key; without it the state is in memory and tls.crt/tls.key go to ./"+defaultTLSDir)
	fs.StringVar(&c.tlsCert, "tls-cert", "", "PEM serving certificate to use instead of a generated one (with --tls-key)")
	fs.StringVar(&c.tlsKey, "tls-key", "", "PEM private key of --tls-cert")
	fs.Var(listFlag{&c.tlsSANs}, "tls-san", "extra DNS `name` or IP address for the generated serving certificate, e.g. the name pods reach this machine by; repeatable")
	fs.BoolVar(&c.plainHTTP, "plain-http", false, "serve plain HTTP instead of HTTPS")
	fs.StringVar(&c.appKey, "appkey", "local-appkey", "the appkey the API paths accept")
	fs.Var(accessKeyFlag{&c.accessKeys}, "access-key", "access key `ID:SECRET:ROLE` (ROLE ADMIN or VIEWER); repeatable; when none is given one ADMIN key is generated and printed")
	fs.DurationVar(&c.tokenLifetime, "token-lifetime", emulator.DefaultTokenLifetime, "lifetime of issued tokens (expires_in), at least 1s")
	fs.BoolVar(&c.bootstrap, "bootstrap", false, "create a store, root, intermediate and leaf templates for RSA 2048, EC P-256 and Ed25519 keys at start and print their ids as JSON on stdout (with --data, only once: later runs print the kept ids while the database still holds them)")
	fs.StringVar(&c.baseURL, "base-url", "", "public base URL put in certificates' CRL and OCSP URLs (default: the scheme and listen address)")
	fs.BoolVar(&c.admin, "admin", false, "serve the admin routes "+emulator.AdminFaultsPath+" (GET/PUT) and "+emulator.AdminStatsPath+" behind a token generated at start and printed on stderr (Authorization: Bearer <token>)")
	fs.DurationVar(&c.faults.Latency, "latency", 0, "delay added to the token and API routes")
	fs.Float64Var(&c.faults.ErrorRate, "error-rate", 0, "chance 0..1 that a token or API request is answered with --error-status")
	fs.IntVar(&c.faults.ErrorStatus, "error-status", 503, "status of injected errors (429, 500, 503, ...)")
	fs.Float64Var(&c.faults.DropRate, "drop-rate", 0, "chance 0..1 that a token or API request's connection is closed without an answer")
	fs.Float64Var(&c.faults.FailAfterIssueRate, "fail-after-issue-rate", 0, "chance 0..1 that a template issuance succeeds but its answer is lost")
	fs.IntVar(&c.faults.FailAfterIssueStatus, "fail-after-issue-status", 0, "status answered after such an issuance; 0 drops the connection")
	fs.StringVar(&c.bootstrapAlg, "bootstrap-key-algorithm", "EC", "key algorithm of the bootstrap CA: RSA or EC")
	showVersion := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, flag.ErrHelp
		}
		return c, errUsage
	}
	if *showVersion {
		return c, errVersion
	}
	if fs.NArg() > 0 {
		return c, usagef("unexpected arguments %q (every setting is a flag; see --help)", fs.Args())
	}
	c.bootstrapAlg = strings.ToUpper(c.bootstrapAlg)
	return c, c.validate()
}

// validate checks every flag, naming it as typed.
func (c config) validate() error {
	if _, _, err := net.SplitHostPort(c.listen); err != nil {
		return usagef("--listen %q: want host:port, e.g. 127.0.0.1:9443", c.listen)
	}
	if (c.tlsCert == "") != (c.tlsKey == "") {
		return usagef("--tls-cert and --tls-key go together")
	}
	if len(c.tlsSANs) > 0 && (c.tlsCert != "" || c.plainHTTP) {
		return usagef("--tls-san applies to the generated serving certificate only, not with --tls-cert or --plain-http")
	}
	for _, san := range c.tlsSANs {
		if err := checkSAN(san); err != nil {
			return err
		}
	}
	if c.appKey == "" {
		return usagef("--appkey must not be empty")
	}
	seen := map[string]bool{}
	for _, k := range c.accessKeys {
		if seen[k.ID] {
			return usagef("--access-key: ID %q given twice", k.ID)
		}
		seen[k.ID] = true
	}
	if c.tokenLifetime < time.Second {
		return usagef("--token-lifetime %v is below 1s", c.tokenLifetime)
	}
	if c.baseURL != "" {
		if err := emulator.CheckBaseURL(c.baseURL); err != nil {
			return usagef("--base-url: %v", err)
		}
	}
	if c.bootstrapAlg != "RSA" && c.bootstrapAlg != "EC" {
		return usagef("--bootstrap-key-algorithm %q: want RSA or EC", c.bootstrapAlg)
	}
	return checkFaultFlags(c.faults)
}

// checkSAN accepts an IP address or a DNS name (letters, digits, '-' and
// '.', an optional leading "*." for a wildcard).
func checkSAN(san string) error {
	if net.ParseIP(san) != nil {
		return nil
	}
	name := strings.TrimPrefix(san, "*.")
	ok := name != "" && len(name) <= 253 && !strings.HasPrefix(name, ".") && !strings.HasSuffix(name, ".") && !strings.Contains(name, "..")
	for _, r := range name {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '-' && r != '.' {
			ok = false
		}
	}
	if !ok {
		return usagef("--tls-san %q: want a DNS name or an IP address", san)
	}
	return nil
}

// checkFaultFlags checks the fault flags against the ranges of
// emulator.Faults.Validate, naming the flags instead of the fields.
func checkFaultFlags(f emulator.Faults) error {
	rates := []struct {
		flag string
		v    float64
	}{{"--error-rate", f.ErrorRate}, {"--drop-rate", f.DropRate}, {"--fail-after-issue-rate", f.FailAfterIssueRate}}
	for _, r := range rates {
		if r.v < 0 || r.v > 1 {
			return usagef("%s %v is outside 0..1", r.flag, r.v)
		}
	}
	switch {
	case f.Latency < 0:
		return usagef("--latency %v is negative", f.Latency)
	case f.ErrorStatus < 400 || f.ErrorStatus > 599:
		return usagef("--error-status %d is outside 400..599", f.ErrorStatus)
	case f.FailAfterIssueStatus != 0 && (f.FailAfterIssueStatus < 400 || f.FailAfterIssueStatus > 599):
		return usagef("--fail-after-issue-status %d is outside 400..599 (or 0 to drop the connection)", f.FailAfterIssueStatus)
	}
	return f.Validate() // any rule added there later still holds
}

// generatedAdminToken makes the random token of the admin routes.
func generatedAdminToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
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
