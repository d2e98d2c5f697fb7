package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// buildBinary cross-compiles spec's main package for p into dir and
// returns the binary's path. The binary is static (CGO_ENABLED=0) and
// reproducible (-trimpath: no machine paths); the version goes in with
// -X main.version, as in the Makefile's build target.
func buildBinary(o options, spec imageSpec, p platform, dir string) (string, error) {
	out := filepath.Join(dir, p.os+"_"+p.arch, spec.name)
	ldflags := strings.TrimSpace(o.ldflags + " -X main.version=" + o.version)
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", ldflags, "-o", out, spec.pkg)
	cmd.Dir = o.repo
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+p.os, "GOARCH="+p.arch)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build %s for %s: %w\n%s", spec.pkg, p, err, stderr.String())
	}
	return out, nil
}

func unix(sec int64) time.Time { return time.Unix(sec, 0).UTC() }
