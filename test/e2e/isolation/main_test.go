// Package isolation tests that one tenant's PCA endpoint cannot stall the
// others: an issuer whose endpoint passes its check and then hangs (or
// trickles) every issuance holds at most its share of the manager's
// workers, for at most the reconcile deadline, while another issuer keeps
// issuing (docs/security.md, "Isolation").
package isolation

import (
	"testing"
	"time"

	"github.com/nhnpca/pca-issuer/internal/controller"
	"github.com/nhnpca/pca-issuer/test/harness"
)

var h *harness.Harness

// managerOptions: the chart's worker counts, a short reconcile deadline so
// that hung calls end within the test.
var managerOptions = controller.Options{
	IssuerHealthCheckInterval: 30 * time.Second,
	PendingRetryInterval:      2 * time.Second,
	MaxConcurrentReconciles:   4,
	MaxConcurrentPerTenant:    2,
	ReconcileTimeout:          deadline,
}

// deadline is the manager's --reconcile-timeout in these tests.
const deadline = 8 * time.Second

func TestMain(m *testing.M) {
	harness.RunTests(m, harness.Options{Manager: &managerOptions}, func(started *harness.Harness) { h = started })
}
