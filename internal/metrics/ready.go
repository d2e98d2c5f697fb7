package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
)

// issuerReady is 1 while an issuer's Ready condition is True and 0 while
// it is False, so that an alert can tell how long an issuer has not been
// Ready (docs/monitoring.md, PCAIssuerNotReady).
var issuerReady = prometheus.NewGaugeVec(prometheus.GaugeOpts{
	Namespace: namespace,
	Name:      "issuer_ready",
	Help:      "1 while the issuer's Ready condition is True, 0 while it is False, as of its last check.",
}, []string{"issuer"})

func init() {
	ctrlmetrics.Registry.MustRegister(issuerReady)
}

// ObserveIssuerReady records the outcome of a check of issuer (an
// IssuerLabel): ready is whether its Ready condition is now True.
// ForgetIssuer drops the series with the issuer's others.
func ObserveIssuerReady(issuer string, ready bool) {
	v := 0.0
	if ready {
		v = 1
	}
	issuerReady.WithLabelValues(issuer).Set(v)
}
