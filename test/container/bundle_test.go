//go:build linux

package container

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	"github.com/moby/profiles/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	corev1 "k8s.io/api/core/v1"

	"github.com/nhnpca/pca-issuer/test/harness"
)

// serviceAccountDir is where kubelet mounts a pod's ServiceAccount token,
// CA and namespace, and where client-go's in-cluster configuration reads
// them.
const serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount"

// bundle is an OCI runtime bundle: config.json and rootfs/.
type bundle struct{ dir string }

func (b bundle) rootfs() string { return filepath.Join(b.dir, "rootfs") }

// newBundle unpacks the pca-issuer image's variant for this machine
// (linux/amd64 in CI) into
// dir/rootfs and writes the chart's ServiceAccount files (token, ca.crt,
// namespace) into dir/serviceaccount.
func newBundle(dir string, id *harness.ChartIdentity) (bundle, platformImage, error) {
	b := bundle{dir: dir}
	l := layout{filepath.Join(imageDir, "pca-issuer")}
	img, err := l.image("linux", runtime.GOARCH)
	if err != nil {
		return b, img, err
	}
	entries, err := l.entries(img)
	if err != nil {
		return b, img, err
	}
	// The root of an image is 0755 root:root; MkdirTemp made dir 0700.
	for _, d := range []string{dir, b.rootfs()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return b, img, err
		}
		if err := os.Chmod(d, 0o755); err != nil {
			return b, img, err
		}
	}
	if err := unpack(b.rootfs(), entries); err != nil {
		return b, img, err
	}
	return b, img, id.WriteServiceAccountFiles(filepath.Join(dir, "serviceaccount"))
}

// writeSpec writes config.json: runc's default spec (`runc spec`: its
// default mounts, masked and read-only paths) with the process, user,
// capabilities, privileges, seccomp filter, root filesystem and memory
// limit taken from
// the image's config and the chart's Deployment, the ServiceAccount
// mounted read-only, and the host's network namespace (host networking)
// so that loopback reaches the API server and the emulator.
func (b bundle) writeSpec(img platformImage, d *corev1.PodSpec, apiServer *url.URL) error {
	if out, err := exec.Command("runc", "spec", "--bundle", b.dir).CombinedOutput(); err != nil {
		return fmt.Errorf("runc spec: %w\n%s", err, out)
	}
	path := filepath.Join(b.dir, "config.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var s specs.Spec
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	c := d.Containers[0]
	if err := applySecurity(&s, d.SecurityContext, c.SecurityContext); err != nil {
		return err
	}
	// After the capabilities: the profile allows some calls only to
	// processes holding the capability they need.
	if s.Linux.Seccomp, err = seccompProfile(&s, d.SecurityContext); err != nil {
		return err
	}
	s.Process.Terminal = false
	// The chart sets args, not command: the image's entrypoint runs them.
	s.Process.Args = append(append([]string{}, img.config.Config.Entrypoint...), c.Args...)
	s.Process.Env = append(append([]string{}, img.config.Config.Env...),
		"KUBERNETES_SERVICE_HOST="+apiServer.Hostname(), "KUBERNETES_SERVICE_PORT="+apiServer.Port())
	s.Process.Cwd = "/"
	s.Hostname = "pca-issuer"
	s.Root = &specs.Root{Path: "rootfs", Readonly: s.Root.Readonly}
	s.Mounts = append(s.Mounts, specs.Mount{
		Destination: serviceAccountDir, Type: "bind",
		Source:  filepath.Join(b.dir, "serviceaccount"),
		Options: []string{"rbind", "ro", "nosuid", "nodev", "noexec"},
	})
	s.Linux.Namespaces = withoutNetwork(s.Linux.Namespaces)
	if limit, ok := c.Resources.Limits[corev1.ResourceMemory]; ok {
		v := limit.Value()
		s.Linux.Resources.Memory = &specs.LinuxMemory{Limit: &v}
	}
	out, err := json.MarshalIndent(&s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o644)
}

// applySecurity maps the chart's pod and container security contexts to
// the spec, as a Kubernetes runtime would: user and group, an empty
// capability set for drop ALL, no_new_privs for allowPrivilegeEscalation
// false, and a read-only root.
func applySecurity(s *specs.Spec, pod *corev1.PodSecurityContext, c *corev1.SecurityContext) error {
	if pod == nil || pod.RunAsUser == nil || pod.RunAsGroup == nil || c == nil || c.Capabilities == nil {
		return errors.New("the chart's Deployment sets no runAsUser, runAsGroup or capabilities")
	}
	s.Process.User = specs.User{UID: uint32(*pod.RunAsUser), GID: uint32(*pod.RunAsGroup)}
	if len(c.Capabilities.Drop) != 1 || c.Capabilities.Drop[0] != "ALL" || len(c.Capabilities.Add) != 0 {
		return fmt.Errorf("the chart's capabilities are %+v; this test maps only drop [ALL]", c.Capabilities)
	}
	s.Process.Capabilities = &specs.LinuxCapabilities{}
	s.Process.NoNewPrivileges = c.AllowPrivilegeEscalation != nil && !*c.AllowPrivilegeEscalation
	s.Root.Readonly = c.ReadOnlyRootFilesystem != nil && *c.ReadOnlyRootFilesystem
	return nil
}

// seccompProfile maps the chart's seccompProfile: RuntimeDefault is the
// runtime's default filter, here moby's (containerd's and CRI-O's derive
// from it), narrowed to the process's capabilities as runtimes do.
func seccompProfile(s *specs.Spec, pod *corev1.PodSecurityContext) (*specs.LinuxSeccomp, error) {
	if pod.SeccompProfile == nil || pod.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		return nil, fmt.Errorf("the chart's seccompProfile is %+v; this test maps only RuntimeDefault", pod.SeccompProfile)
	}
	return seccomp.GetDefaultProfile(s)
}

func withoutNetwork(ns []specs.LinuxNamespace) []specs.LinuxNamespace {
	var out []specs.LinuxNamespace
	for _, n := range ns {
		if n.Type != specs.NetworkNamespace {
			out = append(out, n)
		}
	}
	return out
}
