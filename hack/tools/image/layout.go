package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Annotation keys of the OCI image spec and of containerd, which `docker
// load` and `ctr import` read the image's name from.
const (
	annotationRefName       = "org.opencontainers.image.ref.name"
	annotationContainerdRef = "io.containerd.image.name"
)

// buildLayout builds spec for every platform and writes the image index
// as the only image of a fresh OCI layout in layoutDir(o.out, spec). It
// returns the index's digest.
func buildLayout(o options, spec imageSpec, platforms []platform, base []file, epoch time.Time) (v1.Hash, error) {
	tmp, err := os.MkdirTemp("", "pca-issuer-image-")
	if err != nil {
		return v1.Hash{}, err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, p := range platforms {
		bin, err := buildBinary(o, spec, p, tmp)
		if err != nil {
			return v1.Hash{}, err
		}
		img, err := buildImage(o, spec, p, base, bin, epoch)
		if err != nil {
			return v1.Hash{}, fmt.Errorf("%s: %w", p, err)
		}
		desc, err := imageDescriptor(img, p)
		if err != nil {
			return v1.Hash{}, err
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: described{img, desc}})
	}
	annotated, ok := mutate.Annotations(idx, labels(o, spec, epoch)).(v1.ImageIndex)
	if !ok {
		return v1.Hash{}, fmt.Errorf("annotating the index: unexpected type")
	}
	digest, err := annotated.Digest()
	if err != nil {
		return v1.Hash{}, err
	}
	return digest, writeLayout(layoutDir(o.out, spec), annotated, map[string]string{
		annotationRefName:       o.version,
		annotationContainerdRef: o.registry + "/" + spec.name + ":" + o.version,
	})
}

// described is an image with the descriptor the index lists it by.
// go-containerregistry otherwise derives one with artifactType set to the
// config's media type, a field the image spec reserves for artifacts.
type described struct {
	v1.Image
	desc v1.Descriptor
}

// Descriptor is the image's entry in the index.
func (d described) Descriptor() (*v1.Descriptor, error) { return &d.desc, nil }

// imageDescriptor is img's index entry for platform p: media type, size,
// digest and platform only.
func imageDescriptor(img v1.Image, p platform) (v1.Descriptor, error) {
	d := v1.Descriptor{Platform: &v1.Platform{OS: p.os, Architecture: p.arch}}
	var err error
	if d.MediaType, err = img.MediaType(); err != nil {
		return d, err
	}
	if d.Size, err = img.Size(); err != nil {
		return d, err
	}
	d.Digest, err = img.Digest()
	return d, err
}

// writeLayout replaces dir with an OCI layout holding idx, annotated with
// its name.
func writeLayout(dir string, idx v1.ImageIndex, names map[string]string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	return p.AppendIndex(idx, layout.WithAnnotations(names))
}

// binaryLayer is the layer holding the binary at /name, owned by root and
// executable by everyone, so that the non-root user runs but cannot
// change it.
func binaryLayer(name, bin string, epoch time.Time) (v1.Layer, error) {
	data, err := os.ReadFile(bin)
	if err != nil {
		return nil, err
	}
	return layerOf([]file{{path: "/" + name, mode: 0o755, data: data}}, epoch)
}

// layerOf is a gzip-compressed OCI layer of files.
func layerOf(files []file, epoch time.Time) (v1.Layer, error) {
	raw, err := tarLayer(files, epoch.Unix())
	if err != nil {
		return nil, err
	}
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(raw)), nil
	}, tarball.WithMediaType(types.OCILayer))
}
