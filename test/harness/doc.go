// Package harness runs pca-issuer for real on one machine, without a
// container engine: a kube-apiserver and etcd (envtest, with binaries built
// by hack/control-plane.sh), the cert-manager controllers in-process, the
// local PCA emulator over TLS, and the pca-issuer manager. The end-to-end
// tests, the demo and the benchmark all use it.
package harness
