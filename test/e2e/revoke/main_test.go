// Package revoke tests revoking from the cluster end to end: the
// nhnpca.issuer.dev/revoke annotation on a Certificate, and
// spec.revocation.revokeSuperseded, across a manager restart too
// (docs/revocation.md). The manager runs under the chart's identity
// against the real cert-manager controllers and the PCA emulator.
package revoke

import (
	"testing"
	"time"

	"github.com/nhnpca/pca-issuer/internal/controller"
	"github.com/nhnpca/pca-issuer/test/harness"
)

// h is the one control plane this package's tests share.
var h *harness.Harness

// managerOptions are the options of every manager this package starts.
var managerOptions = controller.Options{
	IssuerRetryInterval:  2 * time.Second,
	PendingRetryInterval: 2 * time.Second,
}

func TestMain(m *testing.M) {
	harness.RunTests(m, harness.Options{Manager: &managerOptions}, func(started *harness.Harness) { h = started })
}
