package main

import (
	"fmt"
	"strconv"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// labels are the image's OCI annotations (pre-defined keys of the image
// spec), used both as config labels and as index annotations.
func labels(o options, spec imageSpec, epoch time.Time) map[string]string {
	l := map[string]string{
		"org.opencontainers.image.title":       spec.name,
		"org.opencontainers.image.description": spec.description,
		"org.opencontainers.image.source":      o.source,
		"org.opencontainers.image.version":     o.version,
		"org.opencontainers.image.created":     epoch.Format(time.RFC3339),
	}
	if o.revision != "" {
		l["org.opencontainers.image.revision"] = o.revision
	}
	return l
}

// buildImage assembles one platform's image: the base files, then the
// binary, run as the non-root user with the binary as entrypoint.
func buildImage(o options, spec imageSpec, p platform, base []file, bin string, epoch time.Time) (v1.Image, error) {
	baseLayer, err := layerOf(base, epoch)
	if err != nil {
		return nil, err
	}
	binLayer, err := binaryLayer(spec.name, bin, epoch)
	if err != nil {
		return nil, err
	}
	user := strconv.Itoa(nonrootUID) + ":" + strconv.Itoa(nonrootUID)
	cfg := &v1.ConfigFile{
		Architecture: p.arch,
		OS:           p.os,
		Created:      v1.Time{Time: epoch},
		Config: v1.Config{
			User:       user,
			Entrypoint: []string{"/" + spec.name},
			WorkingDir: "/",
			Labels:     labels(o, spec, epoch),
		},
		RootFS: v1.RootFS{Type: "layers"},
	}
	img, err := mutate.ConfigFile(mutate.MediaType(empty.Image, types.OCIManifestSchema1), cfg)
	if err != nil {
		return nil, err
	}
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	return mutate.Append(img,
		mutate.Addendum{Layer: baseLayer, History: v1.History{Created: v1.Time{Time: epoch}, CreatedBy: "pca-issuer image: account databases, nsswitch.conf, CA certificates", Comment: "base"}},
		mutate.Addendum{Layer: binLayer, History: v1.History{Created: v1.Time{Time: epoch}, CreatedBy: fmt.Sprintf("pca-issuer image: go build %s for %s", spec.pkg, p), Comment: spec.name}},
	)
}
