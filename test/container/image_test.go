//go:build linux

package container

import (
	"archive/tar"
	"bytes"
	"crypto/x509"
	"debug/elf"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Images of make image and what each holds.
var imageNames = []string{"pca-issuer", "pca-emulator"}

// caCertificatesPath is the first file Go's crypto/x509 reads the system
// roots from on Linux.
const caCertificatesPath = "/etc/ssl/certs/ca-certificates.crt"

// TestImageReproducible builds the images a second time and wants every
// file of both layouts, the index digests included, byte for byte equal.
func TestImageReproducible(t *testing.T) {
	second := filepath.Join(t.TempDir(), "image")
	if err := makeImage(second); err != nil {
		t.Fatal(err)
	}
	for _, name := range imageNames {
		first, again := layout{filepath.Join(imageDir, name)}, layout{filepath.Join(second, name)}
		d1, _, err := first.imageIndex()
		if err != nil {
			t.Fatal(err)
		}
		d2, _, err := again.imageIndex()
		if err != nil {
			t.Fatal(err)
		}
		if d1.Digest != d2.Digest {
			t.Errorf("%s: index digest %s, then %s", name, d1.Digest, d2.Digest)
		}
		if a, b := treeOf(t, first.dir), treeOf(t, again.dir); !equalTrees(a, b) {
			t.Errorf("%s: the two layouts differ in their files", name)
		}
	}
}

// treeOf maps every regular file under dir to its content.
func treeOf(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	tree := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		tree[strings.TrimPrefix(p, dir)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

func equalTrees(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !bytes.Equal(v, w) {
			return false
		}
	}
	return true
}

// TestImageContents checks each platform's image of each layout: the
// config (user, entrypoint, labels), fixed timestamps, the account
// databases, the CA certificates and a static binary of the platform's
// architecture.
func TestImageContents(t *testing.T) {
	epoch := stamp.epoch
	for _, name := range imageNames {
		for _, arch := range []string{"amd64", "arm64"} {
			t.Run(name+"/"+arch, func(t *testing.T) {
				l := layout{filepath.Join(imageDir, name)}
				img, err := l.image("linux", arch)
				if err != nil {
					t.Fatal(err)
				}
				checkConfig(t, img, name, epoch)
				files, err := l.entries(img)
				if err != nil {
					t.Fatal(err)
				}
				checkFiles(t, files, epoch)
				checkBinary(t, files, "/"+name, arch)
			})
		}
	}
}

func checkConfig(t *testing.T, img platformImage, name string, epoch time.Time) {
	t.Helper()
	c := img.config.Config
	if c.User != "65532:65532" {
		t.Errorf("user %q, want 65532:65532", c.User)
	}
	if len(c.Entrypoint) != 1 || c.Entrypoint[0] != "/"+name {
		t.Errorf("entrypoint %q, want [/%s]", c.Entrypoint, name)
	}
	want := map[string]string{
		"org.opencontainers.image.source":   "https://github.com/nhnpca/pca-issuer",
		"org.opencontainers.image.revision": stamp.revision,
		"org.opencontainers.image.version":  stamp.version,
		"org.opencontainers.image.title":    name,
	}
	for k, v := range want {
		if got := c.Labels[k]; got != v {
			t.Errorf("label %s = %q, want %q", k, got, v)
		}
	}
	if img.config.Created == nil || !img.config.Created.Equal(epoch) {
		t.Errorf("created %v, want the commit time %v", img.config.Created, epoch)
	}
}

// checkFiles wants every entry stamped with the commit time, the non-root
// user in /etc/passwd and /etc/group, and a CA bundle of many roots.
func checkFiles(t *testing.T, files map[string]entry, epoch time.Time) {
	t.Helper()
	for name, e := range files {
		if !e.hdr.ModTime.Equal(epoch) {
			t.Errorf("%s: modified %v, want the commit time %v", name, e.hdr.ModTime, epoch)
		}
	}
	for file, line := range map[string]string{
		"/etc/passwd": "nonroot:x:65532:65532:",
		"/etc/group":  "nonroot:x:65532:",
	} {
		if !strings.Contains(string(files[file].data), "\n"+line) {
			t.Errorf("%s lacks the line %q:\n%s", file, line, files[file].data)
		}
	}
	pool := x509.NewCertPool()
	certs, ok := files[caCertificatesPath]
	if !ok || !pool.AppendCertsFromPEM(certs.data) {
		t.Fatalf("%s: missing or without certificates", caCertificatesPath)
	}
	// The NSS store holds well over a hundred roots.
	if n := strings.Count(string(certs.data), "-----BEGIN CERTIFICATE-----"); n < 100 {
		t.Errorf("%s holds %d certificates, want the NSS roots (over 100)", caCertificatesPath, n)
	}
}

// checkBinary wants a static executable (no program interpreter) of arch,
// owned by root and executable by everyone.
func checkBinary(t *testing.T, files map[string]entry, name, arch string) {
	t.Helper()
	e, ok := files[name]
	if !ok || e.hdr.Typeflag != tar.TypeReg {
		t.Fatalf("%s: missing", name)
	}
	if e.hdr.Uid != 0 || e.hdr.Mode&0o755 != 0o755 || e.hdr.Mode&0o022 != 0 {
		t.Errorf("%s: uid %d mode %o, want root's, 0755", name, e.hdr.Uid, e.hdr.Mode)
	}
	f, err := elf.NewFile(bytes.NewReader(e.data))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	machine := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[arch]
	if f.Machine != machine {
		t.Errorf("%s: machine %v, want %v", name, f.Machine, machine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s: dynamically linked (has a program interpreter)", name)
		}
	}
}
