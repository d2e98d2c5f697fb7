package emulator

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nhnpca/pca-issuer/internal/emulator/db"
)

// panickingStorage is a storage whose store lookups panic, as a bbolt file
// damaged after it was opened does.
type panickingStorage struct{ db.Storage }

func (panickingStorage) GetStore(int64) (db.Store, bool, error) {
	panic("assertion failed: Page expected to be: 5, but self identifies as 0")
}

func TestAPanickingHandlerAnswers500InTheEnvelope(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("EC")
	h.emu.svc.db = panickingStorage{h.emu.svc.db}

	r := h.call(http.MethodGet, path("/%d", b.CAStoreID), h.admin, nil)
	r.wantError(t, http.StatusInternalServerError, "Page expected")
	if r.header.ResultCode != 50000 { // docs/pca-api.md, A1
		t.Errorf("resultCode %d, want 50000", r.header.ResultCode)
	}
	// The server keeps serving: the next request is answered too.
	h.call(http.MethodGet, path("/%d", b.CAStoreID), h.admin, nil).wantError(t, http.StatusInternalServerError, "internal error")
}

func TestBootstrapHeldFollowsTheStorage(t *testing.T) {
	h := newHarness(t)
	b := h.bootstrap("EC")
	if held, err := h.emu.BootstrapHeld(*b); err != nil || !held {
		t.Fatalf("BootstrapHeld right after Bootstrap = %v, %v", held, err)
	}
	for name, edit := range map[string]func(*BootstrapResult){
		"unknown store":        func(r *BootstrapResult) { r.CAStoreID = 99 },
		"unknown root":         func(r *BootstrapResult) { r.RootCertID = 99 },
		"unknown intermediate": func(r *BootstrapResult) { r.IntermediateCertID = 99 },
		"unknown template":     func(r *BootstrapResult) { r.TemplateID = 99 },
	} {
		r := *b
		edit(&r)
		if held, err := h.emu.BootstrapHeld(r); err != nil || held {
			t.Errorf("%s: BootstrapHeld = %v, %v, want false", name, held, err)
		}
	}
	h.ok(http.MethodDelete, path("/%d", b.CAStoreID), nil, nil)
	if held, err := h.emu.BootstrapHeld(*b); err != nil || held {
		t.Errorf("deleted store: BootstrapHeld = %v, %v, want false", held, err)
	}
}

func TestASecondOpenOfTheDataIsRefusedAsLocked(t *testing.T) {
	dir := t.TempDir()
	first, err := New(Options{AppKey: "k", DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = first.Close() }()
	start := time.Now()
	_, err = New(Options{AppKey: "k", DataDir: dir})
	if !errors.Is(err, ErrDataLocked) || !strings.Contains(err.Error(), "another process holds") {
		t.Fatalf("second open: %v, want ErrDataLocked", err)
	}
	if waited := time.Since(start); waited > 5*db.LockWait {
		t.Errorf("second open took %v", waited)
	}
}

// damagedFile writes a bbolt file with a bootstrapped CA, lets damage change
// its bytes, and returns its folder.
func damagedFile(t *testing.T, damage func(data []byte, pageSize int)) string {
	t.Helper()
	dir := t.TempDir()
	h := harnessOn(t, dir, &fakeClock{t: time.Now().UTC().Truncate(time.Second)})
	b := h.bootstrap("EC")
	for range 20 {
		h.leafOf(b, "leaf.example.com")
	}
	h.stop()
	file := filepath.Join(dir, DBFileName)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	damage(data, os.Getpagesize())
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestADamagedFileIsRefusedAndLeftAlone(t *testing.T) {
	fill := func(b []byte, v byte) {
		for i := range b {
			b[i] = v
		}
	}
	cases := map[string]func(data []byte, ps int){
		"not a bbolt file":  func(d []byte, _ int) { fill(d, 'x') },
		"meta pages zeroed": func(d []byte, ps int) { fill(d[:2*ps], 0) },
		"data pages zeroed": func(d []byte, ps int) { fill(d[2*ps:], 0) },
		"data pages garbage": func(d []byte, ps int) {
			for i := 2 * ps; i < len(d); i++ {
				d[i] = byte(i*7 + 3)
			}
		},
		"one page in the middle zeroed": func(d []byte, ps int) {
			mid := len(d) / ps / 2 * ps
			fill(d[mid:mid+ps], 0)
		},
	}
	for name, damage := range cases {
		t.Run(name, func(t *testing.T) {
			dir := damagedFile(t, damage)
			file := filepath.Join(dir, DBFileName)
			before, _ := os.ReadFile(file)
			emu, err := New(Options{AppKey: "k", DataDir: dir})
			if err == nil {
				_ = emu.Close()
				t.Fatal("a damaged file was opened")
			}
			if !errors.Is(err, ErrDataDamaged) || !strings.Contains(err.Error(), file) {
				t.Errorf("error %q, want ErrDataDamaged naming %s", err, file)
			}
			if after, _ := os.ReadFile(file); !bytes.Equal(before, after) {
				t.Error("the damaged file was changed")
			}
			// The refused file is closed again: its lock is released.
			if _, err := New(Options{AppKey: "k", DataDir: dir}); errors.Is(err, ErrDataLocked) {
				t.Errorf("a refused file stayed locked: %v", err)
			}
		})
	}
}
