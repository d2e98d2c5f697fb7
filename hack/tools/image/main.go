// Command image builds pca-issuer's container images without a container
// engine: it cross-compiles static binaries with the Go toolchain and
// assembles them, with CA certificates and a non-root user, into one OCI
// image layout per image, each holding one image index of every platform.
// Two runs on one commit write byte-identical layouts.
//
//	go run . -repo ../../.. -out ../../../dist/image -version v0.1.0 \
//	    -revision $(git rev-parse HEAD) -epoch $(git log -1 --format=%ct)
//
// With -rootfs DIR it only writes the files the images hold besides the
// binary (passwd, group, nsswitch.conf, CA certificates) into DIR, for the
// Dockerfile.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

// options are the command-line settings.
type options struct {
	repo, out, rootfs string
	version, revision string
	source, registry  string
	ldflags           string
	platforms         string
	epoch             int64
}

func parseFlags() options {
	var o options
	flag.StringVar(&o.repo, "repo", ".", "root of the pca-issuer module, where the binaries are built")
	flag.StringVar(&o.out, "out", "dist/image", "folder that receives one OCI image layout per image (replaced)")
	flag.StringVar(&o.rootfs, "rootfs", "", "only write the image's files other than the binary into this folder and exit")
	flag.StringVar(&o.version, "version", "dev", "version stamped into the binaries (main.version), the org.opencontainers.image.version label and the tag")
	flag.StringVar(&o.revision, "revision", "", "source revision (commit id) for the org.opencontainers.image.revision label")
	flag.StringVar(&o.source, "source", "https://github.com/nhnpca/pca-issuer", "org.opencontainers.image.source label")
	flag.StringVar(&o.registry, "registry", "ghcr.io/nhnpca", "registry and namespace the images are named under in the layout's annotations")
	flag.StringVar(&o.ldflags, "ldflags", "", "linker flags of go build; -X main.version=<version> is added")
	flag.StringVar(&o.platforms, "platforms", "linux/amd64,linux/arm64", "comma-separated os/arch list of the index")
	flag.Int64Var(&o.epoch, "epoch", 0, "timestamp (Unix seconds) of every file and of the images' creation, e.g. SOURCE_DATE_EPOCH")
	flag.Parse()
	return o
}

func main() {
	o := parseFlags()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	if o.epoch < 0 {
		return fmt.Errorf("-epoch %d: want Unix seconds >= 0", o.epoch)
	}
	epoch := time.Unix(o.epoch, 0).UTC()
	base, err := baseFiles()
	if err != nil {
		return err
	}
	if o.rootfs != "" {
		return writeTree(o.rootfs, base)
	}
	platforms, err := parsePlatforms(o.platforms)
	if err != nil {
		return err
	}
	for _, spec := range images {
		digest, err := buildLayout(o, spec, platforms, base, epoch)
		if err != nil {
			return fmt.Errorf("%s: %w", spec.name, err)
		}
		fmt.Printf("%s %s@%s\n", spec.name, layoutDir(o.out, spec), digest)
	}
	return nil
}

// parsePlatforms reads "linux/amd64,linux/arm64"; only linux is built.
func parsePlatforms(list string) ([]platform, error) {
	var out []platform
	for _, p := range strings.Split(list, ",") {
		os, arch, ok := strings.Cut(strings.TrimSpace(p), "/")
		if !ok || os != "linux" || arch == "" {
			return nil, fmt.Errorf("platform %q: want linux/<arch>", p)
		}
		out = append(out, platform{os: os, arch: arch})
	}
	return out, nil
}
