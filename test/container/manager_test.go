//go:build linux

package container

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/nhnpca/pca-issuer/test/harness"
)

// leaseName is the manager's leader election ID (cmd/pca-issuer).
const leaseName = "pca-issuer.nhnpca.issuer.dev"

// TestManagerInContainer runs the manager's image under runc as the chart
// runs it and wants it Ready, confined as the chart asks, issuing a
// Certificate, and exiting cleanly on SIGTERM with its lease released.
func TestManagerInContainer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	probePort, metricsPort := mustFreePort(t), mustFreePort(t)
	rc, err := renderChart(probePort, metricsPort)
	if err != nil {
		t.Fatal(err)
	}
	pod := &rc.deployment.Spec.Template.Spec
	checkChartConfinement(t, pod)
	dir := t.TempDir()
	b, img, err := newBundle(filepath.Join(dir, "bundle"), h.Identity)
	if err != nil {
		t.Fatal(err)
	}
	checkRootfs(t, b)
	apiServer, err := url.Parse(h.Identity.Host)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.writeSpec(img, pod, apiServer); err != nil {
		t.Fatal(err)
	}
	c, err := startContainer(b, "pca-issuer-"+strconv.Itoa(os.Getpid()), filepath.Join(dir, "runc"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.destroy()
	defer func() {
		if t.Failed() {
			t.Logf("container output:\n%s", c.output)
		}
	}()

	for _, path := range []string{"/healthz", "/readyz"} {
		if err := waitHTTPOK(ctx, c, fmt.Sprintf("http://127.0.0.1:%d%s", probePort, path)); err != nil {
			t.Fatal(err)
		}
	}
	checkConfinement(t, c)
	holder := waitLeaseHeld(t, ctx)
	t.Logf("ready on :%d, confined, leading as %s", probePort, holder)
	issueCertificate(t, ctx)

	if err := c.signal("TERM"); err != nil {
		t.Fatal(err)
	}
	stopCtx, stopCancel := context.WithTimeout(ctx, 30*time.Second)
	defer stopCancel()
	if err := c.wait(stopCtx); err != nil {
		t.Fatalf("after SIGTERM: %v", err)
	}
	checkLeaseReleased(t, ctx, holder)
}

func mustFreePort(t *testing.T) int {
	t.Helper()
	p, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// checkChartConfinement wants the chart to ask for what this test
// reproduces, so that a looser chart fails here instead of passing.
func checkChartConfinement(t *testing.T, pod *corev1.PodSpec) {
	t.Helper()
	sc := pod.Containers[0].SecurityContext
	switch {
	case pod.SecurityContext == nil || pod.SecurityContext.RunAsUser == nil || *pod.SecurityContext.RunAsUser != 65532:
		t.Fatal("the chart does not run the pod as user 65532")
	case sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem:
		t.Fatal("the chart does not ask for a read-only root filesystem")
	case sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation:
		t.Fatal("the chart allows privilege escalation")
	}
	if !slices.Contains(pod.Containers[0].Args, "--leader-elect=true") {
		t.Fatalf("the chart's args %q do not enable leader election", pod.Containers[0].Args)
	}
}

// checkRootfs wants the unpacked image to hold what the manager needs to
// run as the chart runs it: the CA certificates for TLS to the PCA, and
// the non-root user in /etc/passwd.
func checkRootfs(t *testing.T, b bundle) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(b.rootfs(), caCertificatesPath))
	if err != nil {
		t.Fatalf("the image's CA certificates: %v", err)
	}
	if block, _ := pem.Decode(data); block == nil {
		t.Fatalf("%s holds no PEM block", caCertificatesPath)
	} else if _, err := x509.ParseCertificate(block.Bytes); err != nil {
		t.Fatalf("%s: %v", caCertificatesPath, err)
	}
	passwd, err := os.ReadFile(filepath.Join(b.rootfs(), "etc", "passwd"))
	if err != nil || !strings.Contains(string(passwd), ":65532:65532:") {
		t.Fatalf("the image's /etc/passwd has no user 65532 (%v):\n%s", err, passwd)
	}
}

// checkConfinement reads the running manager's /proc entries from the
// host: it must run as 65532 with no capability in any set, with
// no_new_privs and a seccomp filter, and its root must be mounted
// read-only.
func checkConfinement(t *testing.T, c *container) {
	t.Helper()
	pid, err := c.pid()
	if err != nil {
		t.Fatal(err)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Uid": "65532\t65532\t65532\t65532", "Gid": "65532\t65532\t65532\t65532",
		"CapInh": "0000000000000000", "CapPrm": "0000000000000000", "CapEff": "0000000000000000",
		"CapBnd": "0000000000000000", "CapAmb": "0000000000000000", "NoNewPrivs": "1",
		"Seccomp": "2", // a filter
	}
	for _, line := range strings.Split(string(status), "\n") {
		k, v, _ := strings.Cut(line, ":")
		if w, ok := want[k]; ok {
			if strings.TrimSpace(v) != w {
				t.Errorf("/proc/%d/status %s: %q, want %q", pid, k, strings.TrimSpace(v), w)
			}
			delete(want, k)
		}
	}
	for k := range want {
		t.Errorf("/proc/%d/status has no %s line", pid, k)
	}
	if opts := rootMountOptions(t, pid); !slices.Contains(strings.Split(opts, ","), "ro") {
		t.Errorf("the container's root is mounted %q, want ro", opts)
	}
}

// rootMountOptions returns the per-mount options of the mount on / as the
// process pid sees it (the last one, which is on top).
func rootMountOptions(t *testing.T, pid int) string {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/mountinfo", pid))
	if err != nil {
		t.Fatal(err)
	}
	opts := ""
	for _, line := range strings.Split(string(data), "\n") {
		// id parent major:minor root mountpoint options ...
		fields := strings.Fields(line)
		if len(fields) > 5 && fields[4] == "/" {
			opts = fields[5]
		}
	}
	if opts == "" {
		t.Fatalf("no mount on / in /proc/%d/mountinfo", pid)
	}
	return opts
}

// waitHTTPOK polls u until it answers 200, failing early if the container
// exits.
func waitHTTPOK(ctx context.Context, c *container, u string) error {
	client := &http.Client{Timeout: 2 * time.Second}
	var last string
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		if c.exited() {
			return false, fmt.Errorf("the container exited: %v", c.err)
		}
		resp, err := client.Get(u)
		if err != nil {
			last = err.Error()
			return false, nil
		}
		_ = resp.Body.Close()
		last = resp.Status
		return resp.StatusCode == http.StatusOK, nil
	})
	if err != nil {
		return fmt.Errorf("waiting for %s to answer 200 (last: %s): %w", u, last, err)
	}
	return nil
}

// waitLeaseHeld waits for the manager to hold the leader lease in the
// chart's leader election namespace (the manager takes the pod's, read from
// the mounted ServiceAccount files) and returns the holder.
func waitLeaseHeld(t *testing.T, ctx context.Context) string {
	t.Helper()
	lease := &coordinationv1.Lease{}
	lease.Namespace, lease.Name = h.Identity.LeaderElectionNamespace, leaseName
	if err := h.WaitFor(ctx, lease, harness.WaitTimeout, "held", func() bool {
		return lease.Spec.HolderIdentity != nil && *lease.Spec.HolderIdentity != ""
	}); err != nil {
		t.Fatal(err)
	}
	return *lease.Spec.HolderIdentity
}

// checkLeaseReleased wants the lease's holder cleared, which the manager
// does on a clean stop with leader election's release on cancel.
func checkLeaseReleased(t *testing.T, ctx context.Context, holder string) {
	t.Helper()
	lease := &coordinationv1.Lease{}
	if err := h.Client.Get(ctx, types.NamespacedName{Namespace: h.Identity.LeaderElectionNamespace, Name: leaseName}, lease); err != nil {
		t.Fatal(err)
	}
	if id := lease.Spec.HolderIdentity; id != nil && *id != "" {
		t.Errorf("after SIGTERM the lease is still held by %q (was %q): not released", *id, holder)
	}
}

// issueCertificate creates a PCAIssuer against the emulator (over TLS
// with caBundle) and a Certificate, and wants the Certificate Ready with
// a leaf for its DNS name.
func issueCertificate(t *testing.T, ctx context.Context) {
	t.Helper()
	ns := "container"
	if _, err := h.CreateIssuer(ctx, ns, "pca"); err != nil {
		t.Fatal(err)
	}
	crt := harness.Certificate(ns, "web", "pca")
	if err := h.Client.Create(ctx, crt); err != nil {
		t.Fatal(err)
	}
	if err := h.WaitFor(ctx, crt, harness.WaitTimeout, "Ready", func() bool { return harness.CertificateReady(crt) }); err != nil {
		t.Fatal(err)
	}
	secret := &corev1.Secret{}
	if err := h.Client.Get(ctx, types.NamespacedName{Namespace: ns, Name: crt.Spec.SecretName}, secret); err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(secret.Data[corev1.TLSCertKey])
	if block == nil {
		t.Fatal("the Certificate's Secret holds no PEM certificate")
	}
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if err := leaf.VerifyHostname(crt.Spec.DNSNames[0]); err != nil {
		t.Errorf("the issued leaf: %v", err)
	}
}
