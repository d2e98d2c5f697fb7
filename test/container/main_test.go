//go:build linux

// Package container builds pca-issuer's image with make image and runs
// it under runc as the chart runs it in a pod: read-only root filesystem,
// user 65532, no capabilities, no new privileges, the RuntimeDefault
// seccomp filter, the chart's arguments and memory limit, and the chart's
// ServiceAccount token at the in-cluster paths. The
// containerised manager reaches the test API server and the PCA emulator
// over loopback (host network), issues a Certificate end to end and
// releases its leader lease when stopped by SIGTERM.
//
// runc must be installed (make setup installs it): without it the tests
// fail rather than skip.
package container

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nhnpca/pca-issuer/test/harness"
)

// The shared fixture, set by TestMain.
var (
	// h is the control plane, cert-manager and emulator; no in-process
	// pca-issuer manager runs.
	h *harness.Harness
	// root is the repository.
	root string
	// imageDir is the output of make image (one OCI layout per image).
	imageDir string
	// helmBin renders the chart.
	helmBin string
	// stamp is what make image stamps into the images.
	stamp buildStamp
)

// buildStamp is the version, revision and time (SOURCE_DATE_EPOCH) of a
// build: the Makefile's defaults, read from git.
type buildStamp struct {
	version, revision string
	epoch             time.Time
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "pca-issuer-container-")
	if err != nil {
		return fail(err)
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	if root, err = harness.RepoRoot(); err != nil {
		return fail(err)
	}
	if _, err := exec.LookPath("runc"); err != nil {
		return fail(fmt.Errorf("runc is not installed (make setup, or apt-get install runc): %w", err))
	}
	if helmBin, err = harness.HelmBinary(root); err != nil {
		return fail(err)
	}
	if stamp, err = readStamp(); err != nil {
		return fail(err)
	}
	imageDir = filepath.Join(tmp, "image")
	if err := makeImage(imageDir); err != nil {
		return fail(err)
	}
	if h, err = harness.Start(harness.Options{}); err != nil {
		return fail(err)
	}
	code := m.Run()
	if err := h.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "stopping the harness:", err)
	}
	return code
}

func fail(err error) int {
	fmt.Fprintln(os.Stderr, "test/container:", err)
	return 1
}

// readStamp reads the Makefile's defaults from git.
func readStamp() (buildStamp, error) {
	var s buildStamp
	var err error
	if s.version, err = git("describe", "--tags", "--always", "--dirty"); err != nil {
		return s, err
	}
	if s.revision, err = git("rev-parse", "HEAD"); err != nil {
		return s, err
	}
	ct, err := git("log", "-1", "--format=%ct")
	if err != nil {
		return s, err
	}
	sec, err := strconv.ParseInt(ct, 10, 64)
	s.epoch = time.Unix(sec, 0).UTC()
	return s, err
}

// makeImage runs make image into dir, as users build the image, with the
// stamp given explicitly so that a VERSION or SOURCE_DATE_EPOCH in the
// environment (or make's command line) does not change what is checked.
func makeImage(dir string) error {
	cmd := exec.Command("make", "--no-print-directory", "image", "IMAGE_DIR="+dir,
		"VERSION="+stamp.version, "REVISION="+stamp.revision, "SOURCE_DATE_EPOCH="+strconv.FormatInt(stamp.epoch.Unix(), 10))
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("make image: %w\n%s", err, out)
	}
	return nil
}

// git runs git in the repository and returns its trimmed output.
func git(args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %v: %w", args, err)
	}
	return strings.TrimSpace(string(out)), nil
}
