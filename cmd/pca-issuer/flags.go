package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/log/zap"
)

// Bounds of the flags (checked by flags.validate).
const (
	// minHealthCheckInterval is the shortest --issuer-health-check-interval:
	// each check reads the store and the template from the PCA, which bills
	// and rate-limits API calls.
	minHealthCheckInterval = 10 * time.Second
	// defaultMinimumDuration is --minimum-duration's default: 600 s, the
	// floor of the Kubernetes CertificateSigningRequest API's
	// spec.expirationSeconds.
	defaultMinimumDuration = 10 * time.Minute
	// minReconcileTimeout is the shortest --reconcile-timeout: a token
	// fetch, a search and an issuance must fit in it.
	minReconcileTimeout = 10 * time.Second
)

// about is the first line of --help: what the binary is.
const about = "pca-issuer: the cert-manager external issuer for NHN Cloud Private CA (PCA), signing CertificateRequests and CertificateSigningRequests through the PCA API."

// errVersion is returned by parseFlags after --version printed the version.
var errVersion = errors.New("version printed")

// errUsage is returned after the flag package has already told the user
// what is wrong with the command line.
var errUsage = errors.New("usage")

// usageError is a command line that parses but cannot run: a value out of
// range or extra arguments. main prints it and exits 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// usagef makes a usageError.
func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// flags are the command-line settings of the manager.
type flags struct {
	kubeconfig               string
	metricsAddr, probeAddr   string
	leaderElect              bool
	leaderElectionNamespace  string
	clusterResourceNamespace string
	healthCheckInterval      time.Duration
	maxConcurrentReconciles  int
	maxRetryDuration         time.Duration
	minimumDuration          time.Duration
	maxConcurrentPerTenant   int
	reconcileTimeout         time.Duration
	allowedNetworks          []netip.Prefix
	insecureAllowHTTP        bool
	metricsSecure            bool
}

// parseFlags reads the command line (without the program name) and checks
// it. --help prints the usage to stderr and returns flag.ErrHelp;
// --version prints the version to stdout and returns errVersion; a flag
// the flag package refuses returns errUsage (already printed); a bad value
// returns a usageError naming the flag.
func parseFlags(args []string, stdout, stderr io.Writer) (flags, zap.Options, error) {
	var f flags
	var showVersion bool
	fs := flag.NewFlagSet("pca-issuer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		_, _ = fmt.Fprintf(stderr, "%s\n\nUsage: pca-issuer [flags]\n\nFlags:\n", about)
		fs.PrintDefaults()
	}
	fs.BoolVar(&showVersion, "version", false, "Print the version and exit.")
	fs.StringVar(&f.kubeconfig, "kubeconfig", "", "Path to a kubeconfig; without it KUBECONFIG, the in-cluster service account, then ~/.kube/config are tried.")
	fs.StringVar(&f.metricsAddr, "metrics-bind-address", ":8080", "Address of the Prometheus metrics endpoint; 0 disables it.")
	fs.StringVar(&f.probeAddr, "health-probe-bind-address", ":8081", "Address of the /healthz and /readyz endpoints.")
	fs.BoolVar(&f.leaderElect, "leader-elect", false, "Elect a leader so that only one replica reconciles at a time.")
	fs.StringVar(&f.leaderElectionNamespace, "leader-election-namespace", "", "Namespace of the leader election lease; defaults to the pod's namespace.")
	fs.StringVar(&f.clusterResourceNamespace, "cluster-resource-namespace", "cert-manager", "Namespace whose Secrets PCAClusterIssuers may read.")
	fs.DurationVar(&f.healthCheckInterval, "issuer-health-check-interval", 5*time.Minute, fmt.Sprintf("How often a Ready issuer's store and template are read again; at least %v.", minHealthCheckInterval))
	fs.IntVar(&f.maxConcurrentReconciles, "max-concurrent-reconciles", 4, "How many CertificateRequests are signed at once; at least 1.")
	fs.DurationVar(&f.maxRetryDuration, "max-retry-duration", time.Hour, "How long after its creation a request failing with retryable errors is retried before it is marked Failed.")
	fs.DurationVar(&f.minimumDuration, "minimum-duration", defaultMinimumDuration, "Shortest certificate duration a request may ask for; shorter requests fail instead of being issued.")
	fs.IntVar(&f.maxConcurrentPerTenant, "max-concurrent-per-tenant", 0, "How many requests of one tenant (the PCAIssuers of a namespace; each PCAClusterIssuer alone) are signed at once; its others wait without holding a worker. Below --max-concurrent-reconciles; 0 is half of them, at least 1.")
	fs.DurationVar(&f.reconcileTimeout, "reconcile-timeout", 2*time.Minute, fmt.Sprintf("Deadline of one reconcile, PCA calls included; at least %v.", minReconcileTimeout))
	fs.Func("allowed-networks", "Comma-separated CIDRs that issuers' url and tokenURL may reach although loopback, link-local or unspecified (e.g. 127.0.0.0/8 for a local emulator); none by default.", func(v string) error {
		prefixes, err := parsePrefixes(v)
		f.allowedNetworks = append(f.allowedNetworks, prefixes...)
		return err
	})
	fs.BoolVar(&f.insecureAllowHTTP, "insecure-allow-http", false, "Development only: accept http:// in issuers' url and tokenURL (the CRD admits it for localhost only).")
	fs.BoolVar(&f.metricsSecure, "metrics-secure", true, "Serve metrics over HTTPS to callers authenticated and authorized by the API server (TokenReview, SubjectAccessReview on /metrics); false serves plain HTTP to anyone.")
	opts := zap.Options{}
	opts.BindFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return f, opts, flag.ErrHelp
		}
		return f, opts, errUsage
	}
	if showVersion {
		_, _ = fmt.Fprintf(stdout, "pca-issuer %s\n", version)
		return f, opts, errVersion
	}
	if fs.NArg() > 0 {
		return f, opts, usagef("unexpected arguments %q: every setting is a flag (see --help)", fs.Args())
	}
	return f, opts, f.validate()
}

// validate checks the numeric and duration flags, naming them as typed.
func (f flags) validate() error {
	switch {
	case f.maxConcurrentReconciles < 1:
		return usagef("--max-concurrent-reconciles %d: want at least 1", f.maxConcurrentReconciles)
	case f.healthCheckInterval < minHealthCheckInterval:
		return usagef("--issuer-health-check-interval %v: want at least %v (each check calls the PCA API)", f.healthCheckInterval, minHealthCheckInterval)
	case f.maxRetryDuration <= 0:
		return usagef("--max-retry-duration %v: want more than 0", f.maxRetryDuration)
	case f.minimumDuration <= 0:
		return usagef("--minimum-duration %v: want more than 0", f.minimumDuration)
	case f.maxConcurrentPerTenant < 0:
		return usagef("--max-concurrent-per-tenant %d: want 0 (half of --max-concurrent-reconciles) or more", f.maxConcurrentPerTenant)
	case f.maxConcurrentReconciles > 1 && f.maxConcurrentPerTenant >= f.maxConcurrentReconciles:
		return usagef("--max-concurrent-per-tenant %d: want fewer than --max-concurrent-reconciles %d, so that one tenant never holds every worker", f.maxConcurrentPerTenant, f.maxConcurrentReconciles)
	case f.reconcileTimeout < minReconcileTimeout:
		return usagef("--reconcile-timeout %v: want at least %v (one issuance can take several PCA calls)", f.reconcileTimeout, minReconcileTimeout)
	}
	return nil
}

// parsePrefixes reads comma-separated CIDRs, naming the one that does not
// parse.
func parsePrefixes(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR such as 127.0.0.0/8", part)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
