package install

import (
	"reflect"
	"strings"
	"testing"
)

// TestChartLintsAndRenders lints and renders the chart with its defaults
// and with a values file that sets every option, and checks that each
// optional object appears exactly when asked for.
func TestChartLintsAndRenders(t *testing.T) {
	for _, tc := range []struct {
		name      string
		args      []string
		wantKinds map[string]int
	}{
		// ClusterRoles by default: the manager's, the approver's and the
		// metrics reader's (metrics.secure).
		{name: "default values", wantKinds: map[string]int{
			"CustomResourceDefinition": 2, "Deployment": 1, "ServiceAccount": 1, "ClusterRole": 3,
			"ClusterRoleBinding": 2, "Role": 1, "RoleBinding": 1, "Service": 1,
			"PodDisruptionBudget": 0, "ServiceMonitor": 0, "PrometheusRule": 0, "ConfigMap": 0,
		}},
		{name: "every value set", args: []string{"-f", allValues()}, wantKinds: map[string]int{
			"CustomResourceDefinition": 2, "Deployment": 1, "ServiceAccount": 1, "ClusterRole": 2,
			"ClusterRoleBinding": 2, "Role": 1, "RoleBinding": 1, "Service": 1,
			"PodDisruptionBudget": 1, "ServiceMonitor": 1, "PrometheusRule": 1, "ConfigMap": 1,
		}},
		{name: "optional objects off", args: []string{"--set", "crds.enabled=false,approver.enabled=false," +
			"metrics.enabled=false,leaderElection.enabled=false,serviceAccount.create=false,serviceAccount.name=existing"},
			wantKinds: map[string]int{
				"CustomResourceDefinition": 0, "Deployment": 1, "ServiceAccount": 0, "ClusterRole": 1,
				"ClusterRoleBinding": 1, "Role": 0, "RoleBinding": 0, "Service": 0,
				"PrometheusRule": 0, "ConfigMap": 0,
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runTool(t, helmBin, append([]string{"lint", "--strict", chartDir}, tc.args...)...)
			objs := render(t, "pca-issuer", "pca-issuer-system", tc.args...)
			for kind, want := range tc.wantKinds {
				if got := len(ofKind(objs, kind)); got != want {
					t.Errorf("%d %s objects, want %d", got, kind, want)
				}
			}
		})
	}
}

// TestDefaultsAreHardened checks the security settings of the default
// Deployment and ServiceAccount.
func TestDefaultsAreHardened(t *testing.T) {
	objs := render(t, "pca-issuer", "pca-issuer-system")
	deploy := find(t, objs, "Deployment", "pca-issuer")
	pod := field(t, deploy, "spec", "template", "spec").(map[string]any)
	container := pod["containers"].([]any)[0].(map[string]any)
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"pod runAsNonRoot", pod["securityContext"].(map[string]any)["runAsNonRoot"], true},
		{"pod seccomp", pod["securityContext"].(map[string]any)["seccompProfile"], map[string]any{"type": "RuntimeDefault"}},
		{"readOnlyRootFilesystem", container["securityContext"].(map[string]any)["readOnlyRootFilesystem"], true},
		{"allowPrivilegeEscalation", container["securityContext"].(map[string]any)["allowPrivilegeEscalation"], false},
		{"capabilities", container["securityContext"].(map[string]any)["capabilities"], map[string]any{"drop": []any{"ALL"}}},
		{"service account token by default", field(t, find(t, objs, "ServiceAccount", "pca-issuer"), "automountServiceAccountToken"), false},
		{"replicas", field(t, deploy, "spec", "replicas"), float64(1)},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.what, c.got, c.want)
		}
	}
	args := strings.Join(toStrings(container["args"]), " ")
	for _, want := range []string{"--leader-elect=true", "--cluster-resource-namespace=cert-manager", "--zap-log-level=info"} {
		if !strings.Contains(args, want) {
			t.Errorf("args %q lack %s", args, want)
		}
	}
	for probe, path := range map[string]string{"livenessProbe": "/healthz", "readinessProbe": "/readyz"} {
		got, _ := container[probe].(map[string]any)["httpGet"].(map[string]any)["path"].(string)
		if got != path {
			t.Errorf("%s path %q, want %q", probe, got, path)
		}
	}
}

// TestEveryManagerFlagIsAValue checks that the values reach the manager's
// command line.
func TestEveryManagerFlagIsAValue(t *testing.T) {
	objs := render(t, "x", "pca-all", "-f", allValues())
	container := field(t, find(t, objs, "Deployment", "pca-issuer-all"), "spec", "template", "spec", "containers").([]any)[0].(map[string]any)
	want := []string{
		"--leader-elect=true", "--leader-election-namespace=pca-leases", "--metrics-bind-address=:9090", "--metrics-secure=false",
		"--health-probe-bind-address=:9440", "--cluster-resource-namespace=pca-cluster-secrets",
		"--issuer-health-check-interval=2m30s", "--max-concurrent-reconciles=8", "--max-retry-duration=45m",
		"--minimum-duration=30m", "--max-concurrent-per-tenant=3", "--reconcile-timeout=90s", "--allowed-networks=10.20.0.0/16,fd00::/8",
		"--zap-log-level=debug", "--zap-encoder=console", "--zap-stacktrace-level=error",
	}
	if got := toStrings(container["args"]); !reflect.DeepEqual(got, want) {
		t.Errorf("args\n got %q\nwant %q", got, want)
	}
}

// TestChartRefusesUnsafeValues checks the values the chart refuses to
// render.
func TestChartRefusesUnsafeValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  string
		want string
	}{
		{"replicas without leader election", "replicaCount=2,leaderElection.enabled=false", "leaderElection.enabled must be true"},
		{"log level not known", "logging.level=verbose", "/logging/level"},
		{"health check interval not a duration", "issuerHealthCheckInterval=often", "/issuerHealthCheckInterval"},
		{"unknown value", "replicas=2", "additional properties"},
		{"approver signer of another group", "approver.signerNames[0]=issuers.cert-manager.io/*", "signerNames"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tryTool(helmBin, "template", "x", chartDir, "--set", tc.set)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("helm template --set %s: error %v, want one mentioning %q", tc.set, err, tc.want)
			}
		})
	}
}

// toStrings converts a decoded YAML list of strings.
func toStrings(v any) []string {
	var out []string
	for _, s := range v.([]any) {
		out = append(out, s.(string))
	}
	return out
}
