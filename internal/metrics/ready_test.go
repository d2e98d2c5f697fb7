package metrics

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestObserveIssuerReadyIsOneOrZero(t *testing.T) {
	issuer := IssuerLabel("ns", "ready-test")
	ObserveIssuerReady(issuer, true)
	if got := testutil.ToFloat64(issuerReady.WithLabelValues(issuer)); got != 1 {
		t.Errorf("issuer_ready after a Ready check = %v, want 1", got)
	}
	ObserveIssuerReady(issuer, false)
	if got := testutil.ToFloat64(issuerReady.WithLabelValues(issuer)); got != 0 {
		t.Errorf("issuer_ready after a not Ready check = %v, want 0", got)
	}
}

// TestForgetIssuerDropsEverySeriesOfTheIssuer: a deleted issuer's series
// of every family go, another issuer's stay.
func TestForgetIssuerDropsEverySeriesOfTheIssuer(t *testing.T) {
	gone, kept := IssuerLabel("ns", "forget-gone"), IssuerLabel("ns", "forget-kept")
	ca := &x509.Certificate{Subject: pkix.Name{CommonName: "Root"}, NotAfter: time.Unix(2e9, 0)}
	for _, issuer := range []string{gone, kept} {
		ObserveIssuance(issuer, ResultIssued)
		ObserveIssuerCAs(issuer, []*x509.Certificate{ca}, nil)
		ObserveIssuerChecked(issuer, time.Unix(1e9, 0))
		ObserveIssuerReady(issuer, true)
	}
	count := func(issuer string) map[string]int {
		return map[string]int{
			"issuance_total":                    seriesOf(t, issuance, issuer),
			"ca_not_after_seconds":              seriesOf(t, caNotAfter, issuer),
			"issuer_last_check_success_seconds": seriesOf(t, lastCheck, issuer),
			"issuer_ready":                      seriesOf(t, issuerReady, issuer),
		}
	}
	ForgetIssuer(gone)
	for family, n := range count(gone) {
		if n != 0 {
			t.Errorf("%s: %d series of the forgotten issuer, want none", family, n)
		}
	}
	for family, n := range count(kept) {
		if n != 1 {
			t.Errorf("%s: %d series of the other issuer, want 1", family, n)
		}
	}
}
