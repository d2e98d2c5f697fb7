package metrics

import (
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
)

func TestIssuerLabel(t *testing.T) {
	tests := []struct {
		name                  string
		namespace, issuerName string
		want                  string
	}{
		{name: "namespaced-issuer", namespace: "team-a", issuerName: "pca", want: "PCAIssuer/team-a/pca"},
		{name: "cluster-issuer-without-namespace", issuerName: "pca", want: "PCAClusterIssuer/pca"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IssuerLabel(tt.namespace, tt.issuerName); got != tt.want {
				t.Errorf("IssuerLabel = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestObserveIssuanceCountsByIssuerAndResult(t *testing.T) {
	issuer := IssuerLabel("ns", "issuance-test")
	issued := issuance.WithLabelValues(issuer, ResultIssued)
	retry := issuance.WithLabelValues(issuer, ResultRetry)
	before := testutil.ToFloat64(issued)

	ObserveIssuance(issuer, ResultIssued)
	ObserveIssuance(issuer, ResultIssued)

	if got := testutil.ToFloat64(issued) - before; got != 2 {
		t.Errorf("issued grew by %v, want 2", got)
	}
	if got := testutil.ToFloat64(retry); got != 0 {
		t.Errorf("retry = %v, want 0: results must not share a series", got)
	}
}

func TestObserveAPICall(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		wantStatus string
	}{
		{name: "http-status-as-label", status: 201, wantStatus: "201"},
		{name: "no-answer-is-error", status: 0, wantStatus: "error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op := "Op-" + tt.name
			const family = "pca_issuer_api_request_duration_seconds"
			seriesBefore := testutil.CollectAndCount(apiDuration, family)
			ObserveAPICall(op, tt.status, 1500*time.Millisecond)

			if got := testutil.ToFloat64(apiRequests.WithLabelValues(op, tt.wantStatus)); got != 1 {
				t.Errorf("api_requests_total{%s,%s} = %v, want 1", op, tt.wantStatus, got)
			}
			// A new histogram series for op, holding one observation of 1.5 s.
			if n := testutil.CollectAndCount(apiDuration, family) - seriesBefore; n != 1 {
				t.Errorf("duration series grew by %d, want 1", n)
			}
			m := histogramOf(t, op)
			if m.GetSampleCount() != 1 || m.GetSampleSum() != 1.5 {
				t.Errorf("duration count %d sum %v, want 1 and 1.5 (seconds)", m.GetSampleCount(), m.GetSampleSum())
			}
		})
	}
}

func TestObserveTokenRefresh(t *testing.T) {
	before := testutil.ToFloat64(tokenRefreshes)
	ObserveTokenRefresh()
	if got := testutil.ToFloat64(tokenRefreshes) - before; got != 1 {
		t.Errorf("token refreshes grew by %v, want 1", got)
	}
}

func TestInFlightDoneTakesOneAwayOnce(t *testing.T) {
	before := testutil.ToFloat64(inFlight)
	doneA := InFlight()
	doneB := InFlight()
	if got := testutil.ToFloat64(inFlight) - before; got != 2 {
		t.Fatalf("in flight grew by %v, want 2", got)
	}
	doneA()
	doneA() // a second call must not take B's count away
	if got := testutil.ToFloat64(inFlight) - before; got != 1 {
		t.Errorf("in flight after one done = %v, want 1", got)
	}
	doneB()
	if got := testutil.ToFloat64(inFlight); got != before {
		t.Errorf("in flight = %v, want back at %v", got, before)
	}
}

func TestCollectorsServedByControllerRuntimeRegistry(t *testing.T) {
	ObserveIssuance(IssuerLabel("", "registry-test"), ResultFailed)
	ObserveAPICall("Token", 200, time.Millisecond)
	families, err := ctrlmetrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range families {
		names = append(names, f.GetName())
	}
	for _, want := range []string{
		"pca_issuer_issuance_total",
		"pca_issuer_api_requests_total",
		"pca_issuer_api_request_duration_seconds",
		"pca_issuer_token_refreshes_total",
		"pca_issuer_requests_in_flight",
	} {
		if !slices.Contains(names, want) {
			t.Errorf("registry lacks %s", want)
		}
	}
}
