package install

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	"sigs.k8s.io/yaml"

	"github.com/nhnpca/pca-issuer/internal/metrics"
)

// monitoringArgs turns on the chart's alerts and dashboard, in a namespace
// of their own as with a separate monitoring stack.
var monitoringArgs = []string{"--set", "prometheusRule.enabled=true,prometheusRule.namespace=monitoring," +
	"grafanaDashboard.enabled=true,grafanaDashboard.namespace=monitoring"}

// alerts are the alerts the chart's PrometheusRule holds (docs/monitoring.md).
var alerts = []string{"PCAIssuerCAExpiring", "PCAIssuerNotReady", "PCAIssuerIssuanceFailing", "PCAIssuerIssuanceRetrying", "PCAIssuerRevocationChecksFailing"}

// TestMonitoringObjectsAreOptIn: with the default values neither the
// PrometheusRule nor the dashboard ConfigMap renders; asked for without
// metrics, the chart refuses.
func TestMonitoringObjectsAreOptIn(t *testing.T) {
	objs := render(t, "pca-issuer", "pca-issuer-system")
	for _, kind := range []string{"PrometheusRule", "ConfigMap"} {
		if n := len(ofKind(objs, kind)); n != 0 {
			t.Errorf("the default values render %d %s objects, want none", n, kind)
		}
	}
	for _, value := range []string{"prometheusRule.enabled", "grafanaDashboard.enabled"} {
		_, err := tryTool(helmBin, "template", "x", chartDir, "--set", value+"=true,metrics.enabled=false")
		if err == nil || !strings.Contains(err.Error(), value+" needs metrics.enabled") {
			t.Errorf("%s without metrics: error %v, want one naming metrics.enabled", value, err)
		}
	}
}

// TestMonitoringValuesAreChecked: values.schema.json refuses thresholds
// that would render a rule Prometheus refuses or one that never fires.
func TestMonitoringValuesAreChecked(t *testing.T) {
	for _, tc := range []struct{ set, want string }{
		{"prometheusRule.issuanceFailing.ratio=1.5", "/prometheusRule/issuanceFailing/ratio"},
		{"prometheusRule.issuanceRetrying.ratio=0", "/prometheusRule/issuanceRetrying/ratio"},
		{"prometheusRule.issuanceFailing.window=soon", "/prometheusRule/issuanceFailing/window"},
		{"prometheusRule.revocationChecksFailing.ratio=0", "/prometheusRule/revocationChecksFailing/ratio"},
		{"prometheusRule.issuerNotReady.for=15 minutes", "/prometheusRule/issuerNotReady/for"},
		{"prometheusRule.caExpiring.days=0", "/prometheusRule/caExpiring/days"},
		{"prometheusRule.runbookURL=docs/monitoring.md", "/prometheusRule/runbookURL"},
		{"grafanaDashboard.label.team=a", "additional properties"},
	} {
		t.Run(tc.set, func(t *testing.T) {
			_, err := tryTool(helmBin, "template", "x", chartDir, "--set", "prometheusRule.enabled=true,grafanaDashboard.enabled=true,"+tc.set)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("helm template --set %s: error %v, want one mentioning %q", tc.set, err, tc.want)
			}
		})
	}
}

// TestMonitoringObjectsPassServerSideDryRun creates the rendered
// PrometheusRule and dashboard ConfigMap in dry-run mode with strict field
// validation: the API server checks them against prometheus-operator's
// PrometheusRule CRD and the ConfigMap schema, and stores nothing.
func TestMonitoringObjectsPassServerSideDryRun(t *testing.T) {
	createNamespaces(t, "monitoring")
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"alert and dashboard values", monitoringArgs},
		{"every value set", []string{"-f", allValues()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			objs := render(t, "pca-issuer", "pca-issuer-system", tc.args...)
			rules, dashboards := ofKind(objs, "PrometheusRule"), ofKind(objs, "ConfigMap")
			if len(rules) != 1 || len(dashboards) != 1 {
				t.Fatalf("%d PrometheusRules and %d ConfigMaps, want one of each", len(rules), len(dashboards))
			}
			for _, obj := range append(rules, dashboards...) {
				if obj.GetNamespace() != "monitoring" {
					t.Errorf("%s %s in namespace %q, want monitoring", obj.GetKind(), obj.GetName(), obj.GetNamespace())
				}
				if err := k8s.Create(ctx, obj.DeepCopy(), client.DryRunAll, client.FieldValidation("Strict")); err != nil {
					t.Errorf("the API server refused %s %s/%s: %v", obj.GetKind(), obj.GetNamespace(), obj.GetName(), err)
				}
			}
			if got := dashboards[0].GetLabels()["grafana_dashboard"]; got != "1" {
				t.Errorf("dashboard label grafana_dashboard = %q, want \"1\" (the sidecar's default)", got)
			}
		})
	}
}

// TestAlertsAreDocumented: the PrometheusRule holds each alert once, with a
// summary, a description, and a runbook_url whose anchor is a heading of
// docs/monitoring.md; its thresholds come from the values.
func TestAlertsAreDocumented(t *testing.T) {
	rule := ofKind(render(t, "pca-issuer", "pca-issuer-system", monitoringArgs...), "PrometheusRule")[0]
	anchors := markdownAnchors(t, "docs/monitoring.md")
	var names []string
	for _, r := range ruleList(t, rule) {
		names = append(names, r["alert"].(string))
		annotations, _ := r["annotations"].(map[string]any)
		for _, key := range []string{"summary", "description", "runbook_url"} {
			if s, _ := annotations[key].(string); strings.TrimSpace(s) == "" {
				t.Errorf("alert %s has no %s", r["alert"], key)
			}
		}
		url, _ := annotations["runbook_url"].(string)
		base, anchor, _ := strings.Cut(url, "#")
		if base != "https://github.com/nhnpca/pca-issuer/blob/main/docs/monitoring.md" || !anchors[anchor] {
			t.Errorf("alert %s runbook_url %q: want docs/monitoring.md#<a heading of it>", r["alert"], url)
		}
		if labels, _ := r["labels"].(map[string]any); labels["severity"] == nil {
			t.Errorf("alert %s has no severity label", r["alert"])
		}
	}
	if !slices.Equal(names, alerts) {
		t.Errorf("alerts %v, want %v", names, alerts)
	}

	// The thresholds and windows of ci/all-values.yaml reach the rules.
	custom := ruleList(t, ofKind(render(t, "pca-issuer", "pca-issuer-system", "-f", allValues()), "PrometheusRule")[0])
	for i, want := range []string{"< 45 * 24 * 3600", "== 0", "[30m]", "[1h]", "[6h]"} {
		if expr := custom[i]["expr"].(string); !strings.Contains(expr, want) {
			t.Errorf("alert %s expr %q lacks %q", custom[i]["alert"], expr, want)
		}
	}
	for i, want := range []string{"2h", "10m", "10m", "1h", "2h"} {
		if got := custom[i]["for"]; got != want {
			t.Errorf("alert %s for %v, want %s", custom[i]["alert"], got, want)
		}
	}
	if got := custom[3]["labels"].(map[string]any); got["severity"] != "info" || got["team"] != "platform" {
		t.Errorf("alert %s labels %v, want severity info and the alertLabels", custom[3]["alert"], got)
	}
}

// TestMonitoringQueriesNameServedMetrics: every metric and label that the
// alerts and the dashboard's queries (panels and variables) name is one the
// manager's metrics registry serves, and the dashboard shows every
// pca_issuer metric.
func TestMonitoringQueriesNameServedMetrics(t *testing.T) {
	served := servedMetrics(t)
	objs := render(t, "pca-issuer", "pca-issuer-system", monitoringArgs...)
	for _, r := range ruleList(t, ofKind(objs, "PrometheusRule")[0]) {
		checkQuery(t, "alert "+r["alert"].(string), r["expr"].(string), served)
	}

	board := decodeDashboard(t, ofKind(objs, "ConfigMap")[0])
	if board.UID == "" || len(board.Panels) == 0 {
		t.Fatalf("dashboard uid %q with %d panels", board.UID, len(board.Panels))
	}
	shown := map[string]bool{}
	for _, p := range board.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, target := range p.Targets {
			for _, m := range checkQuery(t, "panel "+p.Title, target.Expr, served) {
				shown[served[m].family] = true
			}
		}
	}
	for _, v := range board.Templating.List {
		if v.Type != "query" {
			continue
		}
		q := v.Query
		if m, ok := q.(map[string]any); ok {
			q = m["query"]
		}
		s, _ := q.(string)
		checkQuery(t, "variable "+v.Name, s, served)
	}
	for name, m := range served {
		if strings.HasPrefix(name, "pca_issuer_") && !shown[m.family] {
			t.Errorf("no dashboard panel shows %s", m.family)
		}
	}
}

// dashboard is the part of a Grafana dashboard that the tests read.
type dashboard struct {
	UID    string `json:"uid"`
	Panels []struct {
		Title   string `json:"title"`
		Targets []struct {
			Expr string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
	Templating struct {
		List []struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			Query any    `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

// decodeDashboard decodes the dashboard of the rendered ConfigMap.
func decodeDashboard(t *testing.T, cm *unstructured.Unstructured) dashboard {
	t.Helper()
	data, _ := cm.Object["data"].(map[string]any)
	raw, _ := data["pca-issuer.json"].(string)
	var board dashboard
	if err := json.Unmarshal([]byte(raw), &board); err != nil {
		t.Fatalf("the dashboard ConfigMap's pca-issuer.json is not JSON: %v", err)
	}
	return board
}

// TestMonitoringQueriesParse: Prometheus' own rule file parser accepts the
// PrometheusRule's groups (expressions, durations, labels, annotation
// templates), and its PromQL parser every panel query of the dashboard
// once Grafana's variables are filled in.
func TestMonitoringQueriesParse(t *testing.T) {
	promcheck := buildPromcheck(t)
	objs := render(t, "pca-issuer", "pca-issuer-system", "-f", allValues())
	groups, err := yaml.Marshal(field(t, ofKind(objs, "PrometheusRule")[0], "spec"))
	if err != nil {
		t.Fatal(err)
	}
	rules := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(rules, groups, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := tryTool(promcheck, "-rules", rules); err != nil {
		t.Errorf("Prometheus refuses the PrometheusRule's groups: %v", err)
	}

	grafana := strings.NewReplacer("$__rate_interval", "5m", "$__range", "6h", "$issuer", ".*", "\n", " ")
	var exprs []string
	for _, p := range decodeDashboard(t, ofKind(objs, "ConfigMap")[0]).Panels {
		for _, target := range p.Targets {
			exprs = append(exprs, grafana.Replace(target.Expr))
		}
	}
	cmd := exec.Command(promcheck)
	cmd.Stdin = strings.NewReader(strings.Join(exprs, "\n") + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("Prometheus refuses dashboard queries: %v\n%s", err, out)
	}
}

// buildPromcheck builds hack/tools/prometheus-operator's promcheck, which
// parses rules and PromQL with the Prometheus release that
// prometheus-operator is built with.
func buildPromcheck(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "promcheck")
	cmd := exec.Command("go", "build", "-o", bin, "./promcheck")
	cmd.Dir = filepath.Join(root, "hack", "tools", "prometheus-operator")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building promcheck: %v\n%s", err, out)
	}
	return bin
}

// servedMetric is a series name the manager serves: its family (the
// histogram's name for its _bucket, _sum and _count) and label names.
type servedMetric struct {
	family string
	labels map[string]bool
}

// servedMetrics gathers the manager's registry, which importing
// internal/metrics fills, after putting a series into every pca_issuer
// family (a labelled family shows only once it has one).
func servedMetrics(t *testing.T) map[string]servedMetric {
	t.Helper()
	issuer := metrics.IssuerLabel("install-test", "monitoring")
	metrics.ObserveIssuance(issuer, metrics.ResultIssued)
	metrics.ObserveAPICall("Token", 200, time.Millisecond)
	metrics.ObserveTokenRefresh()
	metrics.InFlight()()
	metrics.ObserveIssuerCAs(issuer, []*x509.Certificate{{Subject: pkix.Name{CommonName: "Root"}, NotAfter: time.Now()}}, nil)
	metrics.ObserveIssuerChecked(issuer, time.Now())
	metrics.ObserveIssuerReady(issuer, true)
	metrics.ObserveRevocationCheck(issuer, metrics.RevocationError)
	families, err := ctrlmetrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	served := map[string]servedMetric{}
	for _, f := range families {
		labels := map[string]bool{}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = true
			}
		}
		name := f.GetName()
		served[name] = servedMetric{family: name, labels: labels}
		if f.GetType().String() == "HISTOGRAM" {
			bucket := map[string]bool{"le": true}
			for l := range labels {
				bucket[l] = true
			}
			served[name+"_bucket"] = servedMetric{family: name, labels: bucket}
			served[name+"_sum"] = servedMetric{family: name, labels: labels}
			served[name+"_count"] = servedMetric{family: name, labels: labels}
		}
	}
	return served
}

// PromQL pieces that checkQuery takes apart. It reads the subset of PromQL
// that the chart writes: selectors, ranges, functions, aggregations with
// by or without, arithmetic and comparisons, and Grafana's label_values.
var (
	quotedString  = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	labelValues   = regexp.MustCompile(`label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)`)
	grouping      = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)`)
	matchers      = regexp.MustCompile(`\{([^}]*)\}`)
	matcherLabel  = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)`)
	rangeSelector = regexp.MustCompile(`\[[^\]]*\]`)
	identifier    = regexp.MustCompile(`[A-Za-z_:][A-Za-z0-9_:]*`)
	keywords      = map[string]bool{"and": true, "or": true, "unless": true, "bool": true, "offset": true}
)

// checkQuery fails the test when expr names a metric the manager does not
// serve, or a label that none of its metrics has; it returns the metric
// names.
func checkQuery(t *testing.T, where, expr string, served map[string]servedMetric) []string {
	t.Helper()
	if strings.TrimSpace(expr) == "" {
		t.Errorf("%s: empty query", where)
		return nil
	}
	var names, labels []string
	expr = quotedString.ReplaceAllString(expr, `""`)
	for _, m := range labelValues.FindAllStringSubmatch(expr, -1) {
		names, labels = append(names, m[1]), append(labels, m[2])
	}
	expr = labelValues.ReplaceAllString(expr, " ")
	for _, m := range grouping.FindAllStringSubmatch(expr, -1) {
		for _, l := range strings.Split(m[1], ",") {
			if l = strings.TrimSpace(l); l != "" {
				labels = append(labels, l)
			}
		}
	}
	expr = grouping.ReplaceAllString(expr, " ")
	for _, m := range matchers.FindAllStringSubmatch(expr, -1) {
		for _, l := range matcherLabel.FindAllStringSubmatch(m[1], -1) {
			labels = append(labels, l[1])
		}
	}
	expr = rangeSelector.ReplaceAllString(matchers.ReplaceAllString(expr, " "), " ")
	for _, loc := range identifier.FindAllStringIndex(expr, -1) {
		name := expr[loc[0]:loc[1]]
		if loc[0] > 0 && strings.ContainsAny(expr[loc[0]-1:loc[0]], "0123456789.$") {
			continue // part of a number or a variable
		}
		if keywords[name] || strings.HasPrefix(strings.TrimLeft(expr[loc[1]:], " \t\n"), "(") {
			continue // an operator, or a function or aggregation
		}
		names = append(names, name)
	}
	if len(names) == 0 {
		t.Errorf("%s: %q names no metric", where, expr)
	}
	known := map[string]bool{}
	for _, name := range names {
		m, ok := served[name]
		if !ok {
			t.Errorf("%s: the manager serves no metric %s", where, name)
			continue
		}
		for l := range m.labels {
			known[l] = true
		}
	}
	for _, l := range labels {
		if !known[l] {
			t.Errorf("%s: no metric of %v has the label %q", where, names, l)
		}
	}
	return names
}

// ruleList returns the rules of a rendered PrometheusRule's only group.
func ruleList(t *testing.T, rule *unstructured.Unstructured) []map[string]any {
	t.Helper()
	groups := field(t, rule, "spec", "groups").([]any)
	if len(groups) != 1 {
		t.Fatalf("%d rule groups, want 1", len(groups))
	}
	var out []map[string]any
	for _, r := range groups[0].(map[string]any)["rules"].([]any) {
		out = append(out, r.(map[string]any))
	}
	return out
}

// markdownAnchors returns the anchors GitHub makes of a Markdown file's
// headings: lower case, spaces to hyphens, other punctuation dropped.
func markdownAnchors(t *testing.T, rel string) map[string]bool {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	anchors := map[string]bool{}
	inCode := false
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "```") {
			inCode = !inCode
		}
		heading, ok := strings.CutPrefix(line, "#")
		if !ok || inCode {
			continue
		}
		heading = strings.ToLower(strings.TrimSpace(strings.TrimLeft(heading, "#")))
		var b strings.Builder
		for _, r := range heading {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
				b.WriteRune(r)
			}
		}
		anchors[b.String()] = true
	}
	return anchors
}
