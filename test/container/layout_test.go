//go:build linux

package container

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// layout is an OCI image layout on disk, read by the image spec's rules
// alone (not by the library that wrote it), with every blob's digest
// checked on read.
type layout struct{ dir string }

// blob reads the blob of d and checks its size and digest.
func (l layout) blob(d ocispec.Descriptor) ([]byte, error) {
	if d.Digest.Algorithm().String() != "sha256" {
		return nil, fmt.Errorf("blob %s: want a sha256 digest", d.Digest)
	}
	data, err := os.ReadFile(filepath.Join(l.dir, "blobs", "sha256", d.Digest.Encoded()))
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != d.Digest.Encoded() || int64(len(data)) != d.Size {
		return nil, fmt.Errorf("blob %s: read %d bytes with digest sha256:%s, want %d bytes", d.Digest, len(data), got, d.Size)
	}
	return data, nil
}

// decode reads d's blob as JSON into v after checking its media type.
func (l layout) decode(d ocispec.Descriptor, mediaType string, v any) error {
	if d.MediaType != mediaType {
		return fmt.Errorf("%s: media type %q, want %q", d.Digest, d.MediaType, mediaType)
	}
	data, err := l.blob(d)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

// imageIndex returns the descriptor of the layout's only entry, which must
// be an image index, and the index itself.
func (l layout) imageIndex() (ocispec.Descriptor, ocispec.Index, error) {
	var top ocispec.Index
	data, err := os.ReadFile(filepath.Join(l.dir, ocispec.ImageIndexFile))
	if err != nil {
		return ocispec.Descriptor{}, top, err
	}
	if err := json.Unmarshal(data, &top); err != nil {
		return ocispec.Descriptor{}, top, err
	}
	if len(top.Manifests) != 1 {
		return ocispec.Descriptor{}, top, fmt.Errorf("%s lists %d entries, want one image index", ocispec.ImageIndexFile, len(top.Manifests))
	}
	var idx ocispec.Index
	err = l.decode(top.Manifests[0], ocispec.MediaTypeImageIndex, &idx)
	return top.Manifests[0], idx, err
}

// platformImage is one platform's manifest and config.
type platformImage struct {
	manifest ocispec.Manifest
	config   ocispec.Image
}

// image returns the image of os/arch from the layout's index.
func (l layout) image(os, arch string) (platformImage, error) {
	var pi platformImage
	_, idx, err := l.imageIndex()
	if err != nil {
		return pi, err
	}
	for _, d := range idx.Manifests {
		if d.Platform == nil || d.Platform.OS != os || d.Platform.Architecture != arch {
			continue
		}
		if err := l.decode(d, ocispec.MediaTypeImageManifest, &pi.manifest); err != nil {
			return pi, err
		}
		return pi, l.decode(pi.manifest.Config, ocispec.MediaTypeImageConfig, &pi.config)
	}
	return pi, fmt.Errorf("the index has no %s/%s image", os, arch)
}

// entry is a file of an image's layers.
type entry struct {
	hdr  *tar.Header
	data []byte
}

// entries reads every layer of img in order and returns each entry by its
// absolute path (a later layer's entry replaces an earlier one). Whiteouts
// are refused: the images have none.
func (l layout) entries(img platformImage) (map[string]entry, error) {
	files := map[string]entry{}
	for _, d := range img.manifest.Layers {
		if d.MediaType != ocispec.MediaTypeImageLayerGzip {
			return nil, fmt.Errorf("layer %s: media type %q", d.Digest, d.MediaType)
		}
		data, err := l.blob(d)
		if err != nil {
			return nil, err
		}
		if err := readLayer(data, files); err != nil {
			return nil, fmt.Errorf("layer %s: %w", d.Digest, err)
		}
	}
	return files, nil
}

func readLayer(data []byte, files map[string]entry) error {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return err
	}
	tr := tar.NewReader(zr)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := path.Clean("/" + hdr.Name)
		if strings.HasPrefix(path.Base(name), ".wh.") {
			return fmt.Errorf("%s: unexpected whiteout", name)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			return err
		}
		files[name] = entry{hdr: hdr, data: body}
	}
}

// unpack writes entries (regular files and directories only) under
// rootfs with their modes and owners, as a container runtime's snapshotter
// would.
func unpack(rootfs string, files map[string]entry) error {
	for _, name := range slices.Sorted(maps.Keys(files)) {
		e := files[name]
		p := filepath.Join(rootfs, filepath.FromSlash(name))
		mode := os.FileMode(e.hdr.Mode).Perm()
		switch e.hdr.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, mode); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.WriteFile(p, e.data, mode); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s: unexpected entry type %q", name, e.hdr.Typeflag)
		}
		// WriteFile and MkdirAll apply the umask: set the mode exactly.
		if err := os.Chmod(p, mode); err != nil {
			return err
		}
		if err := os.Lchown(p, e.hdr.Uid, e.hdr.Gid); err != nil {
			return err
		}
	}
	return nil
}
