package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
)

// Results of one revocation check, the result label of
// pca_issuer_revocation_checks_total (docs/revocation.md, "Revocation
// checks").
const (
	// RevocationGood: the PCA has not revoked the certificate.
	RevocationGood = "good"
	// RevocationRevoked: the PCA revoked the certificate.
	RevocationRevoked = "revoked"
	// RevocationUnknown: the PCA's OCSP responder does not know the
	// certificate.
	RevocationUnknown = "unknown"
	// RevocationError: the status could not be had or did not verify.
	RevocationError = "error"
	// RevocationUnchecked: the store publishes neither a CRL nor OCSP for
	// the certificate's CA.
	RevocationUnchecked = "unchecked"
)

// revocationChecks counts revocation checks by issuer and result.
var revocationChecks = prometheus.NewCounterVec(prometheus.CounterOpts{
	Namespace: namespace,
	Name:      "revocation_checks_total",
	Help:      "Revocation checks of certificates issuers issued that are still in use, by issuer (PCAIssuer/namespace/name or PCAClusterIssuer/name) and result (good, revoked, unknown, error, unchecked).",
}, []string{"issuer", "result"})

func init() {
	ctrlmetrics.Registry.MustRegister(revocationChecks)
}

// ObserveRevocationCheck adds one to
// pca_issuer_revocation_checks_total{issuer, result}. issuer is an
// IssuerLabel; result is one of the Revocation* results.
func ObserveRevocationCheck(issuer, result string) {
	revocationChecks.WithLabelValues(issuer, result).Inc()
}

// forgetRevocationChecks drops the revocation series of a deleted issuer.
func forgetRevocationChecks(issuer string) {
	revocationChecks.DeletePartialMatch(prometheus.Labels{"issuer": issuer})
}
