package controller

import (
	"crypto/x509"
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/metrics"
)

// caExpiryWarning is how long before a CA certificate's notAfter the
// issuer warns that it expires: renewing a CA takes planning, and every
// leaf it signed ends with it.
const caExpiryWarning = 30 * 24 * time.Hour

// observeCAs publishes the notAfter of the CA chain iss signs under as
// metrics, and records a Warning event (reason CAExpiring) for each CA
// certificate that expires within caExpiryWarning of now.
func (r *IssuerReconciler) observeCAs(iss issuerObject, cas storeCAs, now time.Time) {
	intermediates := chainIntermediates(cas)
	metrics.ObserveIssuerCAs(metrics.IssuerLabel(iss.GetNamespace(), iss.GetName()), cas.roots, intermediates)
	if r.recorder == nil {
		return
	}
	for _, c := range append(append([]*x509.Certificate{}, cas.roots...), intermediates...) {
		if left := c.NotAfter.Sub(now); left < caExpiryWarning {
			r.recorder.Eventf(iss, nil, corev1.EventTypeWarning, v1alpha1.ReasonCAExpiring, "Check", "%s", caExpiryMessage(c, left))
		}
	}
}

// caExpiryMessage says which CA certificate expires, when, and what to do.
func caExpiryMessage(c *x509.Certificate, left time.Duration) string {
	when := fmt.Sprintf("expires in %d days, at %s", int(left.Hours()/24), c.NotAfter.UTC().Format(time.RFC3339))
	if left <= 0 {
		when = "expired at " + c.NotAfter.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("CA certificate %q (serial %X) %s: renew it in the PCA and move the issuer's templates to the new CA", c.Subject.String(), c.SerialNumber, when)
}

// chainIntermediates returns the intermediates of the chain the template
// signs under, its signing certificate first: storeCAs keeps the signing
// certificate apart from the intermediates above it, yet it is the CA
// certificate that ends the template's issuance, and often the first to
// expire. A template signing with the root itself adds nothing.
func chainIntermediates(cas storeCAs) []*x509.Certificate {
	if cas.signing == nil || slices.ContainsFunc(cas.roots, cas.signing.Equal) {
		return cas.intermediates
	}
	return append([]*x509.Certificate{cas.signing}, cas.intermediates...)
}
