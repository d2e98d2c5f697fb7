package main

import (
	"archive/tar"
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// The non-root user the images run as; the chart runs the pod as it too.
// 65532 is the "nonroot" user of distroless images, which Kubernetes
// security tooling knows.
const (
	nonrootUID  = 65532
	nonrootName = "nonroot"
)

// CACertificatesPath is where Go's crypto/x509 (and OpenSSL on Debian) look
// for the system roots on Linux.
const CACertificatesPath = "/etc/ssl/certs/ca-certificates.crt"

// file is one entry of a layer: a directory when data is nil and dir is set.
type file struct {
	path string // absolute, slash-separated
	mode int64  // permission bits
	uid  int
	gid  int
	dir  bool
	data []byte
}

// baseFiles are the files every image holds besides its binary, sorted by
// path: the account databases with root and the non-root user, an
// nsswitch.conf that reads /etc/hosts before DNS (as kubelet-managed
// /etc/hosts expects), and the CA certificates.
func baseFiles() ([]file, error) {
	certs, err := caCertificates()
	if err != nil {
		return nil, err
	}
	files := []file{
		{path: "/etc", mode: 0o755, dir: true},
		{path: "/etc/group", mode: 0o644, data: []byte(groupFile())},
		{path: "/etc/nsswitch.conf", mode: 0o644, data: []byte("hosts: files dns\n")},
		{path: "/etc/passwd", mode: 0o644, data: []byte(passwdFile())},
		{path: "/etc/ssl", mode: 0o755, dir: true},
		{path: "/etc/ssl/certs", mode: 0o755, dir: true},
		{path: CACertificatesPath, mode: 0o644, data: certs},
	}
	sortFiles(files)
	return files, nil
}

func passwdFile() string {
	return "root:x:0:0:root:/root:/sbin/nologin\n" +
		fmt.Sprintf("%s:x:%d:%d:%s:/nonexistent:/sbin/nologin\n", nonrootName, nonrootUID, nonrootUID, nonrootName)
}

func groupFile() string {
	return "root:x:0:\n" + fmt.Sprintf("%s:x:%d:\n", nonrootName, nonrootUID)
}

// caCertificates returns the Mozilla NSS roots that golang.org/x/crypto's
// x509roots/fallback/bundle ships, as PEM, in the bundle's order. The
// module proxy serves that package at a pinned version, so the file is the
// same on every machine. Roots with a constraint (a distrust-after date
// for new certificates) are left out: a PEM file cannot carry the
// constraint, and trusting them without it would be wider than NSS is.
func caCertificates() ([]byte, error) {
	var buf bytes.Buffer
	n := 0
	for root := range bundle.Roots() {
		if root.Constraint != nil {
			continue
		}
		cert, err := x509.ParseCertificate(root.Certificate)
		if err != nil {
			return nil, fmt.Errorf("CA certificates: parsing a root of the bundle: %w", err)
		}
		fmt.Fprintf(&buf, "# %s\n", cert.Subject)
		if err := pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: root.Certificate}); err != nil {
			return nil, err
		}
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("CA certificates: the bundle has no unconstrained root")
	}
	return buf.Bytes(), nil
}

func sortFiles(files []file) {
	sort.Slice(files, func(i, j int) bool { return files[i].path < files[j].path })
}

// tarLayer writes files, in the given order, as an uncompressed tar with
// every time set to mtime and no user or group names, so that the bytes
// depend on the files alone.
func tarLayer(files []file, mtime int64) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		hdr := &tar.Header{
			Name:    strings.TrimPrefix(f.path, "/"),
			Mode:    f.mode,
			Uid:     f.uid,
			Gid:     f.gid,
			ModTime: unix(mtime),
		}
		if f.dir {
			hdr.Typeflag, hdr.Name = tar.TypeDir, hdr.Name+"/"
		} else {
			hdr.Typeflag, hdr.Size = tar.TypeReg, int64(len(f.data))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeTree writes files under dir (for the Dockerfile, which copies them
// into a scratch image); ownership is left to the caller.
func writeTree(dir string, files []file) error {
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.path))
		var err error
		if f.dir {
			err = os.MkdirAll(p, os.FileMode(f.mode))
		} else {
			err = os.WriteFile(p, f.data, os.FileMode(f.mode))
		}
		if err != nil {
			return err
		}
	}
	return nil
}
