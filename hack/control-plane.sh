#!/usr/bin/env bash
# Builds the test control plane (kube-apiserver and etcd) from the Go module
# proxy into a cache folder and prints that folder. A build is reused while
# the pinned versions are unchanged: the folder name carries them.
#
#   hack/control-plane.sh [CACHE_DIR]     (default: bin/control-plane)
#
# Point KUBEBUILDER_ASSETS at the printed folder to run envtest against it.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
kube_version=$(awk '$1=="require" && $2=="k8s.io/kubernetes" {print $3}' "$root/hack/tools/kube-apiserver/go.mod")
etcd_version=$(awk '$1=="require" && $2=="go.etcd.io/etcd/server/v3" {print $3}' "$root/hack/tools/etcd/go.mod")
cache=${1:-$root/bin/control-plane}
dir="$cache/kube-apiserver-$kube_version-etcd-$etcd_version"

build() { # build NAME PACKAGE MODULE_DIR
  local name=$1 pkg=$2 mod=$3
  if [ -x "$dir/$name" ]; then return; fi
  echo ">> building $name ($pkg); the first build takes a few minutes" >&2
  (cd "$mod" && CGO_ENABLED=0 go build -trimpath -o "$dir/$name.tmp" "$pkg")
  mv "$dir/$name.tmp" "$dir/$name"
}

mkdir -p "$dir"
build etcd go.etcd.io/etcd/server/v3 "$root/hack/tools/etcd"
build kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver "$root/hack/tools/kube-apiserver"
echo "$dir"
