// Package revocation tests that the cluster notices a certificate revoked
// in the PCA, outside the cluster: the Certificate whose Secret holds it is
// renewed within the issuer's revocation check interval, with a Warning
// event naming the serial, through the store's CRL or, where only OCSP is
// published, its OCSP responder (docs/revocation.md, "Revocation checks").
package revocation

import (
	"testing"
	"time"

	"github.com/nhnpca/pca-issuer/internal/controller"
	"github.com/nhnpca/pca-issuer/test/harness"
)

var h *harness.Harness

// managerOptions: the chart's worker counts; issuers are checked often
// enough for a test.
var managerOptions = controller.Options{
	IssuerHealthCheckInterval: 30 * time.Second,
	PendingRetryInterval:      2 * time.Second,
	MaxConcurrentReconciles:   4,
	MaxConcurrentPerTenant:    2,
}

func TestMain(m *testing.M) {
	harness.RunTests(m, harness.Options{Manager: &managerOptions}, func(started *harness.Harness) { h = started })
}
