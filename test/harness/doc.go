// Package harness runs pca-issuer for real on one machine, without a
// container engine: a kube-apiserver and etcd (envtest, with binaries built
// by hack/control-plane.sh), the cert-manager controllers in-process with
// the real controller's defaults (ingress-shim and gateway-shim included),
// the local PCA emulator over TLS, and the pca-issuer manager as the Helm
// chart deploys it: authenticated with a token of the chart's
// ServiceAccount, under the chart's RBAC. The end-to-end tests, the demo
// and the benchmark all use it.
package harness
