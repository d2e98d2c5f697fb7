package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// pprofEnv names the variable that makes the profiling build of the
// manager serve net/http/pprof on the address it holds.
const pprofEnv = "PCA_ISSUER_BENCH_PPROF"

// pprofSource is added to ./cmd/pca-issuer through a build overlay (go
// help build, -overlay): the repository is not changed, and the manager
// is the same code plus a pprof listener that only starts when pprofEnv is
// set. The benchmark uses it to profile the manager and, in the memory
// run, to force a GC before reading the heap (/debug/pprof/heap?gc=1).
const pprofSource = `package main

import (
	"net/http"
	_ "net/http/pprof"
	"os"
)

func init() {
	if addr := os.Getenv("` + pprofEnv + `"); addr != "" {
		go func() { _ = http.ListenAndServe(addr, nil) }()
	}
}
`

// buildProfilingManager builds ./cmd/pca-issuer with pprofSource added,
// into dir, and returns the binary's path.
func buildProfilingManager(ctx context.Context, root, dir string) (string, error) {
	src := filepath.Join(dir, "bench_pprof.go")
	if err := os.WriteFile(src, []byte(pprofSource), 0o644); err != nil {
		return "", err
	}
	overlay, err := json.Marshal(map[string]map[string]string{
		"Replace": {filepath.Join(root, "cmd", "pca-issuer", "zz_bench_pprof.go"): src},
	})
	if err != nil {
		return "", err
	}
	overlayPath := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(overlayPath, overlay, 0o644); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "pca-issuer-pprof")
	cmd := exec.CommandContext(ctx, "go", "build", "-overlay", overlayPath, "-o", bin, "./cmd/pca-issuer")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building ./cmd/pca-issuer with pprof: %w: %s", err, out)
	}
	return bin, nil
}

// fetch GETs http://addr/path into file (when not empty) and returns the
// body's size.
func fetch(ctx context.Context, addr, path, file string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+path, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: HTTP %d", path, resp.StatusCode)
	}
	w := io.Writer(io.Discard)
	if file != "" {
		f, err := os.Create(file)
		if err != nil {
			return 0, err
		}
		defer func() { _ = f.Close() }()
		w = f
	}
	return io.Copy(w, resp.Body)
}

// cpuProfiler takes consecutive CPU profiles of a manager until stopped,
// as prefix-1.pprof, prefix-2.pprof, ...; `go tool pprof` merges them
// when given all.
type cpuProfiler struct {
	stopCh chan struct{}
	wg     sync.WaitGroup
	files  []string
	err    error
}

// profileChunk is the length of each CPU profile.
const profileChunk = 5 * time.Second

// startCPUProfiles profiles the manager serving pprof at addr until stop.
func startCPUProfiles(ctx context.Context, addr, prefix string) *cpuProfiler {
	p := &cpuProfiler{stopCh: make(chan struct{})}
	p.wg.Go(func() {
		for i := 1; ; i++ {
			select {
			case <-p.stopCh:
				return
			default:
			}
			file := fmt.Sprintf("%s-%d.pprof", prefix, i)
			path := fmt.Sprintf("/debug/pprof/profile?seconds=%d", int(profileChunk/time.Second))
			if _, err := fetch(ctx, addr, path, file); err != nil {
				p.err = err
				_ = os.Remove(file) // a cut-off chunk is not a profile
				return
			}
			p.files = append(p.files, file)
		}
	})
	return p
}

// stop lets the chunk in progress finish (at most profileChunk), ends
// profiling and returns the profiles written.
func (p *cpuProfiler) stop() ([]string, error) {
	close(p.stopCh)
	p.wg.Wait()
	return p.files, p.err
}
