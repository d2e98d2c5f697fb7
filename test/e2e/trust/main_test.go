// Package trust tests the publication of issuers' CA bundles end to end
// (docs/trust-bundle.md): the ConfigMap a trust-manager Bundle reads, the
// ClusterTrustBundle pods project, and a root rotation, against a real
// kube-apiserver, the real cert-manager controllers and the PCA emulator,
// with the manager running as the chart's identity.
package trust

import (
	"testing"
	"time"

	"github.com/nhnpca/pca-issuer/internal/controller"
	"github.com/nhnpca/pca-issuer/test/harness"
)

// h is the one control plane this package's tests share.
var h *harness.Harness

// managerOptions are the options of the package's manager, also when a
// test restarts it.
var managerOptions = controller.Options{
	// The issuer check reads the chains its bundle is made of: short, so
	// that a template moved to a new CA shows soon.
	IssuerHealthCheckInterval: 2 * time.Second,
	IssuerRetryInterval:       2 * time.Second,
	PendingRetryInterval:      2 * time.Second,
}

func TestMain(m *testing.M) {
	harness.RunTests(m, harness.Options{Manager: &managerOptions}, func(started *harness.Harness) { h = started })
}
