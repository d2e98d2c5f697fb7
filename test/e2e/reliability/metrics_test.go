package reliability

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/nhnpca/pca-issuer/internal/metrics"
	"github.com/nhnpca/pca-issuer/test/harness"
)

// TestMetricsEndpoint: the manager's metrics endpoint shows the issuance
// counter rising as certificates are issued.
func TestMetricsEndpoint(t *testing.T) {
	noFaults(t)
	ns := setup(t)
	addr := freeAddr(t)
	if err := h.StopManager(); err != nil {
		t.Fatal(err)
	}
	m, err := h.RunManager(harness.ManagerConfig{Options: managerOptions, MetricsAddr: addr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = m.Stop()
		if err := h.StartManager(managerOptions); err != nil {
			t.Error(err)
		}
	})
	series := fmt.Sprintf(`pca_issuer_issuance_total{issuer=%q,result="issued"}`, metrics.IssuerLabel(ns, "pca"))
	before := scrape(t, addr, series)
	for i := range 3 {
		crt := harness.Certificate(ns, fmt.Sprintf("metrics-%d", i), "pca")
		create(t, crt)
		waitReady(t, crt)
	}
	if got := scrape(t, addr, series); got != before+3 {
		t.Errorf("%s = %v after 3 issuances, was %v", series, got, before)
	}
	if scrape(t, addr, `pca_issuer_api_requests_total{operation="IssueWithTemplate",status="200"}`) < 3 {
		t.Error("API call counter for IssueWithTemplate did not count the issuances")
	}
}

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// scrape reads one series from /metrics; 0 when absent.
func scrape(t *testing.T, addr, series string) float64 {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if value, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			v, err := strconv.ParseFloat(value, 64)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
	}
	return 0
}
