package metrics

import (
	"crypto/x509"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
)

// Kinds of CA certificate, the certificate label of pca_issuer_ca_not_after_seconds.
const (
	// CARoot is a self-signed root of the chain an issuer's template signs
	// under.
	CARoot = "root"
	// CAIntermediate is an intermediate of that chain.
	CAIntermediate = "intermediate"
)

var (
	// caNotAfter is the notAfter of each CA certificate of each issuer's
	// signing chain, in Unix seconds, so that alerts can see a CA expire.
	caNotAfter = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: namespace,
		Name:      "ca_not_after_seconds",
		Help:      "notAfter of each CA certificate (root, intermediate) an issuer's template signs under, in Unix seconds.",
	}, []string{"issuer", "certificate", "subject"})
	// lastCheck is the time of each issuer's last successful check.
	lastCheck = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: namespace,
		Name:      "issuer_last_check_success_seconds",
		Help:      "Time of the last successful check of each issuer (store, template and CA chain read), in Unix seconds.",
	}, []string{"issuer"})
)

func init() {
	ctrlmetrics.Registry.MustRegister(caNotAfter, lastCheck)
}

// ObserveIssuerCAs replaces the CA series of issuer (an IssuerLabel) with
// the notAfter of roots and intermediates.
func ObserveIssuerCAs(issuer string, roots, intermediates []*x509.Certificate) {
	caNotAfter.DeletePartialMatch(prometheus.Labels{"issuer": issuer})
	for kind, certs := range map[string][]*x509.Certificate{CARoot: roots, CAIntermediate: intermediates} {
		for _, c := range certs {
			caNotAfter.WithLabelValues(issuer, kind, c.Subject.String()).Set(float64(c.NotAfter.Unix()))
		}
	}
}

// ObserveIssuerChecked records a successful check of issuer at t.
func ObserveIssuerChecked(issuer string, t time.Time) {
	lastCheck.WithLabelValues(issuer).Set(float64(t.Unix()))
}

// ForgetIssuer drops every series of a deleted issuer, its issuance counts
// included, so that issuers created and deleted over time do not pile up
// series.
func ForgetIssuer(issuer string) {
	issuance.DeletePartialMatch(prometheus.Labels{"issuer": issuer})
	caNotAfter.DeletePartialMatch(prometheus.Labels{"issuer": issuer})
	lastCheck.DeletePartialMatch(prometheus.Labels{"issuer": issuer})
	issuerReady.DeletePartialMatch(prometheus.Labels{"issuer": issuer})
}
