package main

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		// want is a part of the usage error; empty means accepted.
		want  string
		check func(t *testing.T, f flags)
	}{
		{name: "defaults", check: func(t *testing.T, f flags) {
			if f.maxConcurrentReconciles != 4 || f.healthCheckInterval != 5*time.Minute || f.maxRetryDuration != time.Hour ||
				f.minimumDuration != 10*time.Minute || f.clusterResourceNamespace != "cert-manager" {
				t.Errorf("defaults %+v", f)
			}
		}},
		{name: "all set", args: []string{"--kubeconfig", "kc", "--max-concurrent-reconciles", "16", "--issuer-health-check-interval", "10s",
			"--max-retry-duration", "30m", "--minimum-duration", "1h", "--zap-log-level", "debug"}, check: func(t *testing.T, f flags) {
			if f.kubeconfig != "kc" || f.maxConcurrentReconciles != 16 || f.healthCheckInterval != 10*time.Second ||
				f.maxRetryDuration != 30*time.Minute || f.minimumDuration != time.Hour {
				t.Errorf("parsed %+v", f)
			}
		}},
		{name: "zero reconciles", args: []string{"--max-concurrent-reconciles", "0"}, want: "--max-concurrent-reconciles 0: want at least 1"},
		{name: "negative reconciles", args: []string{"--max-concurrent-reconciles=-3"}, want: "--max-concurrent-reconciles -3"},
		{name: "zero health check", args: []string{"--issuer-health-check-interval", "0s"}, want: "--issuer-health-check-interval 0s: want at least 10s"},
		{name: "negative health check", args: []string{"--issuer-health-check-interval", "-1m"}, want: "--issuer-health-check-interval"},
		{name: "health check below the floor", args: []string{"--issuer-health-check-interval", "9s"}, want: "want at least 10s"},
		{name: "zero retry duration", args: []string{"--max-retry-duration", "0"}, want: "--max-retry-duration"},
		{name: "zero minimum duration", args: []string{"--minimum-duration", "0s"}, want: "--minimum-duration 0s"},
		{name: "negative minimum duration", args: []string{"--minimum-duration", "-10m"}, want: "--minimum-duration"},
		{name: "extra arguments", args: []string{"--leader-elect", "run", "now"}, want: `unexpected arguments ["run" "now"]`},
		{name: "isolation and endpoint defaults", check: func(t *testing.T, f flags) {
			if f.maxConcurrentPerTenant != 0 || f.reconcileTimeout != 2*time.Minute || len(f.allowedNetworks) != 0 || f.insecureAllowHTTP || !f.metricsSecure {
				t.Errorf("defaults %+v", f)
			}
		}},
		{name: "allowed networks", args: []string{"--allowed-networks", "127.0.0.1/8, ::1/128", "--allowed-networks=10.0.0.0/8"}, check: func(t *testing.T, f flags) {
			want := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128"), netip.MustParsePrefix("10.0.0.0/8")}
			if !slices.Equal(f.allowedNetworks, want) {
				t.Errorf("allowed networks %v, want %v", f.allowedNetworks, want)
			}
		}},
		{name: "negative per-tenant", args: []string{"--max-concurrent-per-tenant", "-1"}, want: "--max-concurrent-per-tenant -1: want 0 (half of --max-concurrent-reconciles) or more"},
		{name: "per-tenant not below the workers", args: []string{"--max-concurrent-per-tenant", "4"}, want: "want fewer than --max-concurrent-reconciles 4"},
		{name: "reconcile timeout below the floor", args: []string{"--reconcile-timeout", "5s"}, want: "--reconcile-timeout 5s: want at least 10s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, _, err := parseFlags(tc.args, io.Discard, io.Discard)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("parseFlags(%q): %v", tc.args, err)
				}
				tc.check(t, f)
				return
			}
			var bad usageError
			if !errors.As(err, &bad) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("parseFlags(%q) = %v, want a usage error saying %q", tc.args, err, tc.want)
			}
		})
	}
}

func TestParseFlagsRefusesABadCIDR(t *testing.T) {
	var errOut bytes.Buffer
	if _, _, err := parseFlags([]string{"--allowed-networks", "127.0.0.1"}, io.Discard, &errOut); !errors.Is(err, errUsage) || !strings.Contains(errOut.String(), "not a CIDR") {
		t.Fatalf("parseFlags = %v, stderr %q; want a usage error naming the CIDR", err, errOut.String())
	}
}

func TestParseFlagsHelpVersionAndUnknownFlags(t *testing.T) {
	var out, errOut bytes.Buffer
	if _, _, err := parseFlags([]string{"--version"}, &out, &errOut); !errors.Is(err, errVersion) || out.String() != "pca-issuer "+version+"\n" {
		t.Errorf("--version: %v, stdout %q", err, out.String())
	}
	out.Reset()
	if _, _, err := parseFlags([]string{"--help"}, &out, &errOut); !errors.Is(err, flag.ErrHelp) || !strings.HasPrefix(errOut.String(), about+"\n") {
		t.Errorf("--help: %v, stderr starts %q", err, firstLine(errOut.String()))
	}
	if _, _, err := parseFlags([]string{"--no-such-flag"}, &out, io.Discard); !errors.Is(err, errUsage) {
		t.Errorf("unknown flag: %v, want errUsage", err)
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// binary builds the command once for the tests that run it, with a
// stamped version.
func binary(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool on PATH to build the binary")
	}
	bin := filepath.Join(t.TempDir(), "pca-issuer")
	cmd := exec.Command(goTool, "build", "-ldflags", "-X main.version=v9.8.7-test", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runBinary runs bin with args in an environment without any cluster: no
// KUBECONFIG, no in-cluster service account, an empty HOME.
func runBinary(t *testing.T, bin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return code, out.String(), errOut.String()
}

func TestTheBinary(t *testing.T) {
	bin := binary(t)
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   string // exact
		stderr   []string
		oneLine  bool
		noStderr bool
	}{
		{name: "version", args: []string{"--version"}, code: 0, stdout: "pca-issuer v9.8.7-test\n", noStderr: true},
		{name: "help", args: []string{"--help"}, code: 0, stderr: []string{about + "\n", "-minimum-duration duration", "-kubeconfig string", "-zap-log-level"}},
		{name: "no kubeconfig", code: 1, stderr: []string{"pca-issuer: no cluster to connect to", "--kubeconfig", "KUBECONFIG", "in a cluster"}, oneLine: true},
		{name: "missing kubeconfig file", args: []string{"--kubeconfig", "/nonexistent/kubeconfig"}, code: 1, stderr: []string{"--kubeconfig /nonexistent/kubeconfig"}, oneLine: true},
		{name: "bad value", args: []string{"--max-concurrent-reconciles", "0"}, code: 2, stderr: []string{"pca-issuer: --max-concurrent-reconciles 0"}, oneLine: true},
		{name: "extra argument", args: []string{"serve"}, code: 2, stderr: []string{"unexpected arguments"}, oneLine: true},
		{name: "unknown flag", args: []string{"--nope"}, code: 2, stderr: []string{"flag provided but not defined: -nope"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runBinary(t, bin, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tc.code, stderr)
			}
			if tc.stdout != "" && stdout != tc.stdout {
				t.Errorf("stdout %q, want %q", stdout, tc.stdout)
			}
			if tc.noStderr && stderr != "" {
				t.Errorf("stderr %q, want none", stderr)
			}
			if tc.name == "help" && !strings.HasPrefix(stderr, about+"\n") {
				t.Errorf("help starts %q, want what the binary is", firstLine(stderr))
			}
			for _, want := range tc.stderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr %q misses %q", stderr, want)
				}
			}
			if tc.oneLine && (strings.Count(stderr, "\n") != 1 || strings.Contains(stderr, "goroutine") || strings.Contains(stderr, ".go:")) {
				t.Errorf("stderr %q, want one line and no stack trace", stderr)
			}
		})
	}
}
