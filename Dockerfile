# Build: docker build --build-arg VERSION=$(git describe --tags --always) -t pca-issuer .
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY api/ api/
COPY cmd/ cmd/
COPY internal/ internal/
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/pca-issuer ./cmd/pca-issuer

FROM gcr.io/distroless/static:nonroot
COPY --from=build /out/pca-issuer /pca-issuer
USER 65532:65532
ENTRYPOINT ["/pca-issuer"]
