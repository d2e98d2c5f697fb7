// Package reliability tests what keeps pca-issuer safe in a busy cluster:
// exactly one issuance per request through crashes and conflicts, retries
// through PCA errors, token expiry, permanent failures, issuer health,
// Kubernetes CertificateSigningRequests and metrics. Tests run one at a
// time: several change the shared emulator's faults or restart the manager.
package reliability

import (
	"testing"
	"time"

	"github.com/nhnpca/pca-issuer/internal/controller"
	"github.com/nhnpca/pca-issuer/internal/emulator"
	"github.com/nhnpca/pca-issuer/test/harness"
)

var h *harness.Harness

// managerOptions are the default manager's: short intervals so that
// health changes show within seconds.
var managerOptions = controller.Options{
	IssuerHealthCheckInterval: 2 * time.Second,
	IssuerRetryInterval:       time.Second,
	PendingRetryInterval:      time.Second,
	MaxConcurrentReconciles:   8,
}

func TestMain(m *testing.M) {
	harness.RunTests(m, harness.Options{Manager: &managerOptions}, func(started *harness.Harness) { h = started })
}

// noFaults clears the emulator's faults when a test ends.
func noFaults(t *testing.T) {
	t.Cleanup(func() { h.Emulator.SetFaults(emulator.Faults{}) })
}
