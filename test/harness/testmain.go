package harness

import (
	"fmt"
	"os"
	"testing"
)

// RunTests is a test package's TestMain body: it starts one harness with
// opts, hands it to set (the package's shared variable), runs the tests,
// stops the harness and exits with the tests' code. One control plane
// serves a whole package.
func RunTests(m *testing.M, opts Options, set func(*Harness)) {
	h, err := Start(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	set(h)
	code := m.Run()
	if err := h.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "stopping the harness:", err)
	}
	os.Exit(code)
}
