//go:build tools

// Package tools pins the prometheus-operator release whose CRDs
// (example/prometheus-operator-crd in its module) test/install installs;
// the import keeps the requirement under go mod tidy and is never built.
package tools

import _ "github.com/prometheus-operator/prometheus-operator/pkg/operator"
