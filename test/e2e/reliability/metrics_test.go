package reliability

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cert-manager/cert-manager/pkg/util/pki"
	authv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/internal/metrics"
	"github.com/nhnpca/pca-issuer/test/harness"
)

// TestMetricsEndpoint: the manager's metrics endpoint, served as deployed
// (HTTPS, callers authenticated and authorized by the API server), shows
// the issuance counter rising as certificates are issued.
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
	// The metrics server starts with the manager, a little after its caches.
	if err := wait.PollUntilContextTimeout(t.Context(), 50*time.Millisecond, harness.WaitTimeout, true, func(context.Context) (bool, error) {
		conn, err := net.Dial("tcp", addr)
		if err == nil {
			_ = conn.Close()
		}
		return err == nil, nil
	}); err != nil {
		t.Fatalf("the metrics server at %s does not answer: %v", addr, err)
	}
	reader := scraperToken(t, "metrics-reader", true)
	for name, token := range map[string]string{"no token": "", "a token not allowed get on /metrics": scraperToken(t, "metrics-stranger", false)} {
		if status := get(t, addr, token); status != http.StatusUnauthorized && status != http.StatusForbidden {
			t.Errorf("/metrics with %s: HTTP %d, want 401 or 403", name, status)
		}
	}
	scrape := func(t *testing.T, addr, series string) float64 { return scrapeWith(t, addr, reader, series) }
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
	// The CA expiry gauges hold the notAfter of the emulator's root and of
	// the intermediate the template signs with.
	pc, err := h.PCAClient()
	if err != nil {
		t.Fatal(err)
	}
	for _, ca := range []struct {
		kind string
		id   int64
	}{{metrics.CARoot, h.PCA.RootCertID}, {metrics.CAIntermediate, h.PCA.IntermediateCertID}} {
		got, err := pc.GetCertificate(t.Context(), h.PCA.CAStoreID, ca.id)
		if err != nil {
			t.Fatal(err)
		}
		cert, err := pki.DecodeX509CertificateBytes([]byte(got.CertificatePem))
		if err != nil {
			t.Fatal(err)
		}
		caSeries := fmt.Sprintf(`pca_issuer_ca_not_after_seconds{certificate=%q,issuer=%q,subject=%q}`, ca.kind, metrics.IssuerLabel(ns, "pca"), cert.Subject.String())
		if got, want := scrape(t, addr, caSeries), float64(cert.NotAfter.Unix()); got != want {
			t.Errorf("%s = %v, want the %s's notAfter %v", caSeries, got, ca.kind, want)
		}
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

// scraperToken returns a token of a new ServiceAccount in the chart's
// namespace, bound to the chart's metrics-reader ClusterRole when reader.
func scraperToken(t *testing.T, name string, reader bool) string {
	t.Helper()
	ctx := t.Context()
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: harness.ChartNamespace, Name: name}}
	if err := client.IgnoreAlreadyExists(h.Client.Create(ctx, sa)); err != nil {
		t.Fatal(err)
	}
	if reader {
		binding := &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: harness.ChartRelease + "-metrics-reader"},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: harness.ChartNamespace, Name: name}},
		}
		if err := client.IgnoreAlreadyExists(h.Client.Create(ctx, binding)); err != nil {
			t.Fatal(err)
		}
	}
	cs, err := kubernetes.NewForConfig(h.Config)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := cs.CoreV1().ServiceAccounts(harness.ChartNamespace).CreateToken(ctx, name, &authv1.TokenRequest{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return tr.Status.Token
}

// metricsClient speaks to the manager's self-signed metrics endpoint.
var metricsClient = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // the manager's metrics certificate is self-signed

// get returns the status of GET /metrics with token ("" for none).
func get(t *testing.T, addr, token string) int {
	t.Helper()
	resp, err := metricsGet(addr, token)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

func metricsGet(addr, token string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodGet, "https://"+addr+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return metricsClient.Do(req)
}

// scrapeWith reads one series from /metrics with token; 0 when absent.
func scrapeWith(t *testing.T, addr, token, series string) float64 {
	t.Helper()
	resp, err := metricsGet(addr, token)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: HTTP %d", resp.StatusCode)
	}
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
