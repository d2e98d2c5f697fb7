package controller

import (
	"net/netip"
	"time"
)

// Options configure the reconcilers; cmd/pca-issuer fills them from flags.
type Options struct {
	// ClusterResourceNamespace is where a PCAClusterIssuer's credentials
	// Secret must be (flag --cluster-resource-namespace).
	ClusterResourceNamespace string

	// IssuerHealthCheckInterval is how often a Ready issuer is checked again.
	IssuerHealthCheckInterval time.Duration

	// IssuerRetryInterval is how long a not-Ready issuer waits before its
	// next check, unless its Secret or spec changes first.
	IssuerRetryInterval time.Duration

	// PendingRetryInterval is how long a request waiting for its issuer
	// waits before it looks again; the issuer turning Ready wakes it
	// earlier.
	PendingRetryInterval time.Duration

	// MaxConcurrentReconciles is the number of requests of each kind
	// (CertificateRequests, CertificateSigningRequests) signed at once.
	MaxConcurrentReconciles int

	// MaxRetryDuration is how long after its creation a request whose
	// signing keeps failing with retryable errors is retried before it is
	// marked Failed (flag --max-retry-duration).
	MaxRetryDuration time.Duration

	// AllowedNetworks are address ranges that issuers' endpoints may reach
	// although they are loopback, link-local or unspecified (flag
	// --allowed-networks); empty refuses all of those
	// (docs/security.md, "Endpoints").
	AllowedNetworks []netip.Prefix

	// AllowInsecureHTTP accepts http:// in spec.url and spec.tokenURL (flag
	// --insecure-allow-http), for development against a local emulator
	// only: credentials and tokens would cross the network in clear.
	AllowInsecureHTTP bool

	// MinimumDuration is the shortest certificate validity a request may
	// ask for (flag --minimum-duration); a shorter one fails with reason
	// DurationTooShort before any PCA call. Default 10 minutes, the floor
	// of the Kubernetes CertificateSigningRequest API's
	// spec.expirationSeconds: every issuance is a billable certificate, and
	// a very short one makes cert-manager renew it in a loop.
	MinimumDuration time.Duration

	// ReconcileTimeout bounds one reconcile of a request or an issuer, PCA
	// calls, token fetches and rate-limiter waits included (flag
	// --reconcile-timeout; default 2 minutes).
	ReconcileTimeout time.Duration

	// MaxConcurrentPerTenant is how many requests of one tenant are signed,
	// and how many of its issuers checked, at once (flag
	// --max-concurrent-per-tenant; 0, the default, is half of
	// MaxConcurrentReconciles, at least 1). A tenant is the namespace of
	// PCAIssuers, and each PCAClusterIssuer on its own (an admin's). Its other
	// requests are requeued without holding a worker, so that one issuer's
	// hung endpoint cannot take every worker.
	MaxConcurrentPerTenant int
}

// withDefaults returns o with every zero field set to its default.
func (o Options) withDefaults() Options {
	if o.ClusterResourceNamespace == "" {
		o.ClusterResourceNamespace = "cert-manager"
	}
	if o.IssuerHealthCheckInterval <= 0 {
		o.IssuerHealthCheckInterval = 5 * time.Minute
	}
	if o.IssuerRetryInterval <= 0 {
		o.IssuerRetryInterval = time.Minute
	}
	if o.PendingRetryInterval <= 0 {
		o.PendingRetryInterval = time.Minute
	}
	if o.ReconcileTimeout <= 0 {
		o.ReconcileTimeout = 2 * time.Minute
	}
	if o.MaxRetryDuration <= 0 {
		o.MaxRetryDuration = time.Hour
	}
	if o.MinimumDuration <= 0 {
		o.MinimumDuration = 10 * time.Minute
	}
	if o.MaxConcurrentReconciles <= 0 {
		o.MaxConcurrentReconciles = 4
	}
	if o.MaxConcurrentPerTenant <= 0 {
		o.MaxConcurrentPerTenant = DefaultConcurrentPerTenant(o.MaxConcurrentReconciles)
	}
	return o
}

// DefaultConcurrentPerTenant is the per-tenant share of reconciles workers
// when --max-concurrent-per-tenant is not set: half of them, at least 1,
// so that one tenant's hung endpoint leaves the other half to the others
// (docs/security.md, "Isolation") while a single busy tenant still signs
// with half the workers.
func DefaultConcurrentPerTenant(reconciles int) int {
	return max(1, reconciles/2)
}
