//go:build linux

package container

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// TestDockerfileSameContent checks that the Dockerfile builds what make
// image does: the files hack/tools/image writes for it (-rootfs) are the
// image's files besides the binary, with the same modes, and the
// Dockerfile's USER, ENTRYPOINT and source label match the image's config.
func TestDockerfileSameContent(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command("go", "-C", "hack/tools/image", "run", ".", "-rootfs", dir)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("image -rootfs: %v\n%s", err, out)
	}
	l := layout{filepath.Join(imageDir, "pca-issuer")}
	img, err := l.image("linux", "amd64")
	if err != nil {
		t.Fatal(err)
	}
	files, err := l.entries(img)
	if err != nil {
		t.Fatal(err)
	}
	delete(files, "/pca-issuer") // the Dockerfile builds it itself
	written := map[string]bool{}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		name := "/" + filepath.ToSlash(p[len(dir)+1:])
		written[name] = true
		info, err := d.Info()
		if err != nil {
			return err
		}
		e, ok := files[name]
		switch {
		case !ok:
			t.Errorf("-rootfs wrote %s, which the image lacks", name)
		case os.FileMode(e.hdr.Mode).Perm() != info.Mode().Perm():
			t.Errorf("%s: mode %v in the image, %v from -rootfs", name, os.FileMode(e.hdr.Mode).Perm(), info.Mode().Perm())
		case !d.IsDir():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if !bytes.Equal(data, e.data) {
				t.Errorf("%s differs between the image and -rootfs", name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for name := range files {
		if !written[name] {
			t.Errorf("the image holds %s, which -rootfs does not write", name)
		}
	}
	checkDockerfile(t, img)
}

func checkDockerfile(t *testing.T, img platformImage) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	c := img.config.Config
	for what, re := range map[string]*regexp.Regexp{
		"USER " + c.User:                         regexp.MustCompile(`(?m)^USER ` + regexp.QuoteMeta(c.User) + `$`),
		`ENTRYPOINT ["` + c.Entrypoint[0] + `"]`: regexp.MustCompile(`(?m)^ENTRYPOINT \["` + regexp.QuoteMeta(c.Entrypoint[0]) + `"\]$`),
		"the source label":                       regexp.MustCompile(regexp.QuoteMeta(`org.opencontainers.image.source="` + c.Labels["org.opencontainers.image.source"] + `"`)),
		"FROM scratch":                           regexp.MustCompile(`(?m)^FROM scratch$`),
	} {
		if !re.Match(data) {
			t.Errorf("the Dockerfile lacks %s", what)
		}
	}
}
