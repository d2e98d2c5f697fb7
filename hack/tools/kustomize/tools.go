//go:build tools

// Package tools pins kustomize for make build-installer.
package tools

import _ "sigs.k8s.io/kustomize/kustomize/v5"
