package controller

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRBACMarkersOnlyInRBACFile: every kubebuilder RBAC marker of the
// package is in rbac.go, so that the manager's permissions are read and
// reviewed in one place.
func TestRBACMarkersOnlyInRBACFile(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	const marker = "+kubebuilder" + ":rbac"
	found := false
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		n := strings.Count(string(data), marker)
		switch {
		case f == "rbac.go":
			found = n > 0
		case n > 0:
			t.Errorf("%s holds %d RBAC markers: move them to rbac.go", f, n)
		}
	}
	if !found {
		t.Error("rbac.go holds no RBAC marker")
	}
}
