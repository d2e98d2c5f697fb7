// Package e2e runs the user's path end to end against a real kube-apiserver
// and etcd, the real cert-manager controllers and the PCA emulator:
// Certificate -> CertificateRequest -> approval -> pca-issuer -> Secret.
package e2e

import (
	"testing"
	"time"

	"github.com/nhnpca/pca-issuer/internal/controller"
	"github.com/nhnpca/pca-issuer/test/harness"
)

// h is the one control plane this package's tests share.
var h *harness.Harness

func TestMain(m *testing.M) {
	harness.RunTests(m, harness.Options{
		Manager: &controller.Options{
			IssuerRetryInterval:  2 * time.Second,
			PendingRetryInterval: 2 * time.Second,
		},
	}, func(started *harness.Harness) { h = started })
}
