package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// managerProcess is the pca-issuer manager running as its own process, so
// that its CPU time, RSS and heap are its own and not cert-manager's.
type managerProcess struct {
	cmd         *exec.Cmd
	metricsAddr string
	// pprofAddr serves net/http/pprof when the binary is the profiling
	// build; empty otherwise.
	pprofAddr string
	done      chan error
	gc        *gcTrace
	logTail   *tail
}

// buildManager builds ./cmd/pca-issuer of the module at root into dir, as
// is, and returns the binary's path.
func buildManager(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "pca-issuer")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/pca-issuer")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building ./cmd/pca-issuer: %w: %s", err, out)
	}
	return bin, nil
}

// managerBinary is a built manager and whether it is the profiling build.
type managerBinary struct {
	path      string
	profiling bool
}

// startManager starts bin against kubeconfig (the harness's
// ChartKubeconfig: the chart's ServiceAccount) with the given reconcile
// concurrency, metrics on a free loopback port and GC tracing on stderr,
// and returns once /metrics answers. A profiling build also serves pprof
// on another free loopback port.
func startManager(ctx context.Context, bin managerBinary, kubeconfig, clusterNS string, reconciles int) (*managerProcess, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	var pprofAddr string
	if bin.profiling {
		if pprofAddr, err = freeAddr(); err != nil {
			return nil, err
		}
	}
	cmd := exec.Command(bin.path,
		"--kubeconfig", kubeconfig,
		"--metrics-bind-address", addr,
		"--health-probe-bind-address", "0",
		"--max-concurrent-reconciles", strconv.Itoa(reconciles),
		"--cluster-resource-namespace", clusterNS,
		// The emulator listens on loopback, which the manager dials only
		// when told.
		"--allowed-networks", "127.0.0.0/8",
		// The bench reads the counters with a plain GET from this host;
		// securing the endpoint is tested in test/e2e/reliability.
		"--metrics-secure=false",
	)
	// gctrace=1 prints the live heap after each GC on stderr; the memory
	// run reads it, as nothing else can force a GC in another process.
	cmd.Env = append(os.Environ(), "GODEBUG=gctrace=1", pprofEnv+"="+pprofAddr)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the manager: %w", err)
	}
	m := &managerProcess{cmd: cmd, metricsAddr: addr, pprofAddr: pprofAddr, done: make(chan error, 1), gc: &gcTrace{}, logTail: &tail{max: 20}}
	go m.readStderr(stderr)
	go func() { m.done <- cmd.Wait() }()
	if err := m.waitMetrics(ctx, 60*time.Second); err != nil {
		_ = m.stop()
		return nil, err
	}
	return m, nil
}

// readStderr splits the manager's stderr into GC traces and a log tail.
func (m *managerProcess) readStderr(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if !m.gc.add(line) {
			m.logTail.add(line)
		}
	}
}

// waitMetrics polls /metrics until it answers 200.
func (m *managerProcess) waitMetrics(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case err := <-m.done:
			return fmt.Errorf("the manager exited before serving metrics: %v; last log lines:\n%s", err, m.logTail)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if _, err := scrape(ctx, m.metricsAddr); err == nil {
			return nil
		}
	}
	return fmt.Errorf("the manager's metrics endpoint %s did not answer within %s; last log lines:\n%s", m.metricsAddr, timeout, m.logTail)
}

// stop sends SIGTERM and waits up to 15 s, then kills the process.
func (m *managerProcess) stop() error {
	if err := m.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case err := <-m.done:
		return exitAfterSignal(err)
	case <-time.After(15 * time.Second):
		_ = m.cmd.Process.Kill()
		return fmt.Errorf("the manager did not stop within 15 s of SIGTERM and was killed (%v)", <-m.done)
	}
}

// exitAfterSignal drops the error of a process ended by a signal: after
// SIGTERM that is the expected end, not a failure.
func exitAfterSignal(err error) error {
	var exit *exec.ExitError
	if errors.As(err, &exit) && !exit.Exited() {
		return nil
	}
	return err
}

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat;
// 100 on every Linux architecture Go supports.
const clockTicks = 100

// procUsage is what /proc says about a process.
type procUsage struct {
	// cpuSeconds is user plus system CPU time since the process started.
	cpuSeconds float64
	// rssBytes and peakRSSBytes are VmRSS and VmHWM.
	rssBytes, peakRSSBytes int64
}

// readProc reads /proc/<pid>/stat and /proc/<pid>/status.
func readProc(pid int) (procUsage, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procUsage{}, err
	}
	cpu, err := parseStatCPU(string(stat))
	if err != nil {
		return procUsage{}, err
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return procUsage{}, err
	}
	u := procUsage{cpuSeconds: cpu}
	u.rssBytes, _ = statusKB(string(status), "VmRSS")
	u.peakRSSBytes, err = statusKB(string(status), "VmHWM")
	return u, err
}

// parseStatCPU returns utime+stime in seconds from a /proc/<pid>/stat line
// (fields 14 and 15, proc(5)). The command name may hold spaces, so fields
// are counted after its closing parenthesis.
func parseStatCPU(stat string) (float64, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("malformed /proc stat: no ')'")
	}
	fields := strings.Fields(stat[i+1:])
	// fields[0] is field 3 (state), so field n is fields[n-3].
	if len(fields) < 13 {
		return 0, fmt.Errorf("malformed /proc stat: %d fields after the name", len(fields))
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("malformed /proc stat: %w", err)
	}
	return float64(utime+stime) / clockTicks, nil
}

// statusKB returns a "<key>: <n> kB" line of /proc/<pid>/status in bytes.
func statusKB(status, key string) (int64, error) {
	for line := range strings.SplitSeq(status, "\n") {
		rest, ok := strings.CutPrefix(line, key+":")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, fmt.Errorf("malformed /proc status line %q", line)
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		return kb * 1024, err
	}
	return 0, fmt.Errorf("/proc status has no %s", key)
}

// selfCPU returns this process's CPU seconds (cert-manager, the emulator
// and the benchmark's own watchers).
func selfCPU() float64 {
	u, err := readProc(os.Getpid())
	if err != nil {
		return 0
	}
	return u.cpuSeconds
}

// freeAddr returns a loopback address nothing listens on.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := l.Addr().String()
	return addr, l.Close()
}

// scrape reads the Prometheus text at http://addr/metrics into a map of
// series (name with labels) to value; lines that are not plain samples are
// skipped.
func scrape(ctx context.Context, addr string) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics: HTTP %d", resp.StatusCode)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			out[line[:i]] = v
		}
	}
	return out, sc.Err()
}

// tail keeps the last max lines written to it.
type tail struct {
	mu    sync.Mutex
	max   int
	lines []string
}

func (t *tail) add(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines = append(t.lines, line)
	if len(t.lines) > t.max {
		t.lines = t.lines[len(t.lines)-t.max:]
	}
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}
