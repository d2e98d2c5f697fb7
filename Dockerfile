# The pca-issuer manager image with a container engine. `make image` builds
# the same content without one, reproducibly and for every platform, as OCI
# layouts in dist/image/ (see docs/install.md); this file is for engines and
# CI systems that build from a Dockerfile:
#   make docker-build IMG=registry.example.com/pca-issuer:v0.1.0
# or: docker build --build-arg VERSION=$(git describe --tags --always) \
#       --build-arg REVISION=$(git rev-parse HEAD) -t pca-issuer .
# Both put the same files in a scratch image: the static binary, the account
# databases with the non-root user 65532, nsswitch.conf and the CA
# certificates, all written by hack/tools/image.
ARG GO_VERSION=1.26

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
WORKDIR /src
# Modules first, so that source changes reuse the download layers.
COPY go.mod go.sum ./
RUN go mod download
COPY hack/tools/image/ hack/tools/image/
RUN go -C hack/tools/image run . -rootfs /rootfs
COPY api/ api/
COPY cmd/ cmd/
COPY internal/ internal/
ARG VERSION=dev
ARG TARGETOS=linux
ARG TARGETARCH
RUN CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /rootfs/pca-issuer ./cmd/pca-issuer

FROM scratch
ARG VERSION=dev
ARG REVISION=
LABEL org.opencontainers.image.title="pca-issuer" \
      org.opencontainers.image.description="cert-manager external issuer for NHN Cloud Private CA" \
      org.opencontainers.image.source="https://github.com/nhnpca/pca-issuer" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
COPY --from=build /rootfs/ /
# 65532 is the "nonroot" user of /etc/passwd; the chart runs the pod as it too.
USER 65532:65532
ENTRYPOINT ["/pca-issuer"]
