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

	// PendingRetryInterval is how long a CertificateRequest waiting for its
	// issuer waits before it looks again; the issuer turning Ready wakes it
	// earlier.
	PendingRetryInterval time.Duration

	// MaxConcurrentReconciles is the number of CertificateRequests signed at
	// once.
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
	if o.MaxRetryDuration <= 0 {
		o.MaxRetryDuration = time.Hour
	}
	if o.MaxConcurrentReconciles <= 0 {
		o.MaxConcurrentReconciles = 4
	}
	return o
}
