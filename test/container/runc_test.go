//go:build linux

package container

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"sync"
)

// container is a runc container running in the foreground of `runc run`.
type container struct {
	id, stateDir string
	cmd          *exec.Cmd
	output       *lockedBuffer
	done         chan struct{}
	err          error // of runc run, set before done is closed
}

// startContainer runs the bundle under runc with its own state folder.
func startContainer(b bundle, id, stateDir string) (*container, error) {
	c := &container{id: id, stateDir: stateDir, output: &lockedBuffer{}, done: make(chan struct{})}
	c.cmd = exec.Command("runc", "--root", stateDir, "run", "--bundle", b.dir, id)
	c.cmd.Stdout, c.cmd.Stderr = c.output, c.output
	if err := c.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

// runc runs a runc subcommand on this container.
func (c *container) runc(args ...string) ([]byte, error) {
	out, err := exec.Command("runc", append([]string{"--root", c.stateDir}, args...)...).CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("runc %v: %w\n%s", args, err, out)
	}
	return out, nil
}

// pid is the container's first process as the host sees it.
func (c *container) pid() (int, error) {
	out, err := c.runc("state", c.id)
	if err != nil {
		return 0, err
	}
	var state struct {
		Pid    int    `json:"pid"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal(out, &state); err != nil {
		return 0, err
	}
	if state.Status != "running" || state.Pid == 0 {
		return 0, fmt.Errorf("container %s is %s", c.id, state.Status)
	}
	return state.Pid, nil
}

// signal sends sig (e.g. "TERM") to the container's first process.
func (c *container) signal(sig string) error {
	_, err := c.runc("kill", c.id, sig)
	return err
}

// wait waits for runc run to end and returns its error (nil for exit 0).
func (c *container) wait(ctx context.Context) error {
	select {
	case <-c.done:
		return c.err
	case <-ctx.Done():
		return fmt.Errorf("the container did not exit: %w", ctx.Err())
	}
}

// exited reports whether runc run has ended.
func (c *container) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// destroy kills and deletes the container if it still exists.
func (c *container) destroy() {
	_, _ = c.runc("delete", "--force", c.id)
	if !c.exited() {
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}

// lockedBuffer collects the container's output from two pipes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = l.Close() }()
	_, port, err := net.SplitHostPort(l.Addr().String())
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(port)
}
