package controller

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

// TestObserveCAsWarnsOfAnExpiringCA: a CA certificate expiring within 30
// days gets a Warning event; one expiring later does not; both are gauges.
func TestObserveCAsWarnsOfAnExpiringCA(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	ca := func(cn string, notAfter time.Time) *x509.Certificate {
		return &x509.Certificate{Subject: pkix.Name{CommonName: cn}, SerialNumber: big.NewInt(7), NotAfter: notAfter}
	}
	rec := events.NewFakeRecorder(10)
	r := &IssuerReconciler{recorder: rec}
	iss := &v1alpha1.PCAIssuer{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "expiring"}}
	r.observeCAs(iss, storeCAs{
		roots:         []*x509.Certificate{ca("Root", now.Add(10*365*24*time.Hour))},
		intermediates: []*x509.Certificate{ca("Intermediate", now.Add(10*24*time.Hour))},
	}, now)
	var got []string
	for len(rec.Events) > 0 {
		got = append(got, <-rec.Events)
	}
	if len(got) != 1 || !strings.Contains(got[0], "Warning CAExpiring") || !strings.Contains(got[0], "CN=Intermediate") || !strings.Contains(got[0], "expires in 10 days") {
		t.Fatalf("events %q, want one CAExpiring Warning for the intermediate", got)
	}
	n, err := testutil.GatherAndCount(ctrlmetrics.Registry, "pca_issuer_ca_not_after_seconds")
	if err != nil || n < 2 {
		t.Fatalf("pca_issuer_ca_not_after_seconds series = %d (%v), want the root and the intermediate", n, err)
	}
}
