# The pca-issuer manager image: a static binary on distroless, as non-root.
#   make docker-build IMG=registry.example.com/pca-issuer:v0.1.0
# or: docker build --build-arg VERSION=$(git describe --tags --always) -t pca-issuer .
ARG GO_VERSION=1.26

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
WORKDIR /src
# Modules first, so that source changes reuse the download layer.
COPY go.mod go.sum ./
RUN go mod download
COPY api/ api/
COPY cmd/ cmd/
COPY internal/ internal/
ARG VERSION=dev
ARG TARGETOS=linux
ARG TARGETARCH
RUN CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/pca-issuer ./cmd/pca-issuer

FROM gcr.io/distroless/static:nonroot
ARG VERSION=dev
LABEL org.opencontainers.image.title="pca-issuer" \
      org.opencontainers.image.description="cert-manager external issuer for NHN Cloud Private CA" \
      org.opencontainers.image.source="https://github.com/nhnpca/pca-issuer" \
      org.opencontainers.image.version="${VERSION}"
COPY --from=build /out/pca-issuer /pca-issuer
# 65532 is distroless's nonroot user; the chart runs the pod as it too.
USER 65532:65532
ENTRYPOINT ["/pca-issuer"]
