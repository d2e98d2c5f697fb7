package controller

import (
	"crypto/tls"

	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
)

// MetricsServerOptions returns how the manager serves /metrics at addr
// ("0" disables it). With secure, it is HTTPS (a self-signed certificate
// made at start) for callers the API server authenticates (TokenReview) and
// authorizes for get on the non-resource URL /metrics (SubjectAccessReview);
// others get 401 or 403. Without, it is plain HTTP for anyone
// (docs/security.md, "Metrics").
func MetricsServerOptions(addr string, secure bool) metricsserver.Options {
	if !secure {
		return metricsserver.Options{BindAddress: addr}
	}
	return metricsserver.Options{
		BindAddress:    addr,
		SecureServing:  true,
		FilterProvider: filters.WithAuthenticationAndAuthorization,
		// HTTP/1.1 only: HTTP/2's stream resets are a cheap way to load a
		// server, and scrapers do not need them.
		TLSOpts: []func(*tls.Config){func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} }},
	}
}
