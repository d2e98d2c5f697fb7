package main

import "path/filepath"

// imageSpec is one image of the project.
type imageSpec struct {
	// name is the binary, the entrypoint (/name) and the repository name.
	name string
	// pkg is the main package, relative to the module root.
	pkg string
	// description is the org.opencontainers.image.description label.
	description string
}

// images are built in this order.
var images = []imageSpec{
	{name: "pca-issuer", pkg: "./cmd/pca-issuer", description: "cert-manager external issuer for NHN Cloud Private CA"},
	{name: "pca-emulator", pkg: "./cmd/pca-emulator", description: "local emulator of the NHN Cloud Private CA API, for development"},
}

// platform is an os/arch pair of the index.
type platform struct{ os, arch string }

func (p platform) String() string { return p.os + "/" + p.arch }

// layoutDir is where the image's OCI layout is written.
func layoutDir(out string, spec imageSpec) string { return filepath.Join(out, spec.name) }
