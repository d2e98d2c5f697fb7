// Package metrics holds the issuer's Prometheus collectors. Importing it
// registers them into controller-runtime's registry
// (sigs.k8s.io/controller-runtime/pkg/metrics.Registry), so they are served
// on the manager's metrics endpoint next to controller-runtime's own.
//
// The helpers' signatures fit the PCA client's hooks:
// pca.Config{Observe: metrics.ObserveAPICall, OnTokenRefresh:
// metrics.ObserveTokenRefresh}.
package metrics

import (
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
)

// namespace prefixes every metric name.
const namespace = "pca_issuer"

// Results of one signing attempt, the result label of
// pca_issuer_issuance_total.
const (
	// ResultIssued: a certificate was issued and handed to cert-manager.
	ResultIssued = "issued"
	// ResultFailed: the request failed for good.
	ResultFailed = "failed"
	// ResultDenied: the request was denied by an approver.
	ResultDenied = "denied"
	// ResultRetry: the attempt failed and will be tried again.
	ResultRetry = "retry"
)

// statusError is the status label of an API call that got no HTTP answer.
const statusError = "error"

var (
	// issuance counts signing attempts by issuer and result.
	issuance = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace,
		Name:      "issuance_total",
		Help:      "Signing attempts of CertificateRequests and CertificateSigningRequests, by issuer (PCAIssuer/namespace/name or PCAClusterIssuer/name) and result (issued, failed, denied, retry).",
	}, []string{"issuer", "result"})

	// apiRequests counts HTTP exchanges with the PCA API and token endpoint.
	apiRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace,
		Name:      "api_requests_total",
		Help:      "HTTP exchanges with the PCA API and its token endpoint, by operation (client method name, or Token) and status (HTTP status code, or error when no answer came).",
	}, []string{"operation", "status"})

	// apiDuration observes the time of those exchanges in seconds.
	apiDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace,
		Name:      "api_request_duration_seconds",
		Help:      "Time in seconds from sending a PCA API or token request to reading its whole answer, by operation; time waiting for the client-side rate limit is not included.",
		// From a fast local answer up to the client's 30 s timeout.
		Buckets: []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
	}, []string{"operation"})

	// tokenRefreshes counts tokens fetched from the token endpoint.
	tokenRefreshes = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: namespace,
		Name:      "token_refreshes_total",
		Help:      "Access tokens fetched from the PCA token endpoint.",
	})

	// inFlight is the number of requests being signed right now.
	inFlight = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: namespace,
		Name:      "requests_in_flight",
		Help:      "CertificateRequests and CertificateSigningRequests being signed right now.",
	})
)

func init() {
	ctrlmetrics.Registry.MustRegister(issuance, apiRequests, apiDuration, tokenRefreshes, inFlight)
}

// UnknownIssuer is the issuer label of requests whose issuer does not
// exist: the names requests make up never become series of their own.
const UnknownIssuer = "unknown"

// IssuerLabel returns the issuer label of pca_issuer_issuance_total:
// "PCAIssuer/namespace/name" for a namespaced issuer, or
// "PCAClusterIssuer/name" when namespace is empty.
func IssuerLabel(namespace, name string) string {
	if namespace == "" {
		return "PCAClusterIssuer/" + name
	}
	return "PCAIssuer/" + namespace + "/" + name
}

// ObserveIssuance adds one to pca_issuer_issuance_total{issuer, result}.
// issuer is an IssuerLabel; result is one of ResultIssued, ResultFailed,
// ResultDenied or ResultRetry (other values are counted as given, so keep
// to these to bound the label's values).
func ObserveIssuance(issuer, result string) {
	issuance.WithLabelValues(issuer, result).Inc()
}

// ObserveAPICall records one HTTP exchange: it adds one to
// pca_issuer_api_requests_total{operation, status} and observes d, in
// seconds, in pca_issuer_api_request_duration_seconds{operation}. status is
// the HTTP status code, or 0 (label "error") when no answer came. Its
// signature is that of pca.Config.Observe.
func ObserveAPICall(op string, status int, d time.Duration) {
	label := statusError
	if status > 0 {
		label = strconv.Itoa(status)
	}
	apiRequests.WithLabelValues(op, label).Inc()
	apiDuration.WithLabelValues(op).Observe(d.Seconds())
}

// ObserveTokenRefresh adds one to pca_issuer_token_refreshes_total. Its
// signature is that of pca.Config.OnTokenRefresh.
func ObserveTokenRefresh() {
	tokenRefreshes.Inc()
}

// InFlight adds one to pca_issuer_requests_in_flight and returns the func
// that takes it away again; call it (typically deferred) when signing ends.
// Calling the returned func more than once takes one away only once.
func InFlight() func() {
	inFlight.Inc()
	var once sync.Once
	return func() { once.Do(inFlight.Dec) }
}
