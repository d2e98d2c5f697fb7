# pca-issuer: cert-manager external issuer for NHN Cloud Private CA.

GO          ?= go
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
BIN         ?= $(CURDIR)/bin
# Cache of the test control plane (kube-apiserver and etcd built from the Go
# module proxy); reused while the pinned versions are unchanged.
CONTROL_PLANE_CACHE ?= $(BIN)/control-plane
CONTROLLER_GEN ?= $(BIN)/controller-gen
GOLANGCI_LINT_VERSION ?= v2.15.0
LDFLAGS     := -s -w -X main.version=$(VERSION)
# Image metadata: the commit and its time, so that two builds of one commit
# are identical.
REVISION    ?= $(shell git rev-parse HEAD 2>/dev/null)
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
IMAGE_DIR   ?= dist/image
DEMO_OUT    ?= $(CURDIR)/_demo

.PHONY: all
all: build

##@ Set-up

.PHONY: setup
setup: ## Download modules, install runc, build the test control plane, controller-gen and Helm (once).
	$(GO) mod download
	$(GO) -C test/bench mod download
	$(GO) -C hack/tools/image mod download
	$(MAKE) runc control-plane controller-gen helm

.PHONY: runc
runc: ## Install Debian's runc for the container test (skipped when present).
	@command -v runc >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq runc; } || \
		{ echo "runc is missing: install it as root (apt-get install runc)" >&2; exit 1; }

.PHONY: control-plane
control-plane: ## Build kube-apiserver and etcd into the cache (skipped when cached).
	@hack/control-plane.sh $(CONTROL_PLANE_CACHE) >/dev/null

$(CONTROLLER_GEN): hack/tools/controller-gen/go.mod
	cd hack/tools/controller-gen && $(GO) build -o $(CONTROLLER_GEN) sigs.k8s.io/controller-tools/cmd/controller-gen

.PHONY: controller-gen
controller-gen: $(CONTROLLER_GEN) ## Build $(CONTROLLER_GEN) from the Go module proxy (hack/tools/controller-gen).

##@ Development

.PHONY: manifests
manifests: $(CONTROLLER_GEN) ## Generate CRDs and RBAC from the markers into config/.
	$(CONTROLLER_GEN) crd rbac:roleName=pca-issuer-manager-role paths=./api/... paths=./internal/... \
		output:crd:artifacts:config=config/crd/bases output:rbac:artifacts:config=config/rbac

.PHONY: generate
generate: $(CONTROLLER_GEN) ## Generate deepcopy code for api/.
	$(CONTROLLER_GEN) object paths=./api/...

.PHONY: fmt
fmt: ## gofmt every Go file.
	gofmt -w $$(git ls-files '*.go')

.PHONY: vet
vet: ## go vet every package, the benchmark's module (test/bench) too.
	$(GO) vet ./...
	$(GO) -C test/bench vet ./...

.PHONY: lint
lint: ## Run golangci-lint (built from the Go module proxy) on the product's and the benchmark's modules.
	$(GO) run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION) run ./...
	cd test/bench && $(GO) run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION) run ./...

##@ Build

.PHONY: build
build: ## Build bin/pca-issuer and bin/pca-emulator.
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN)/pca-issuer ./cmd/pca-issuer
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN)/pca-emulator ./cmd/pca-emulator

.PHONY: image
image: ## Build the manager's and emulator's images as OCI layouts in $(IMAGE_DIR)/ (no container engine).
	$(GO) -C hack/tools/image run . -repo=$(CURDIR) -out=$(abspath $(IMAGE_DIR)) -platforms=$(PLATFORMS) \
		-version=$(VERSION) -revision=$(REVISION) -epoch=$(SOURCE_DATE_EPOCH) -ldflags="$(LDFLAGS)"

##@ Run

.PHONY: demo
demo: control-plane ## Issue a certificate end to end on the embedded emulator; writes $(DEMO_OUT).
	KUBEBUILDER_ASSETS=$$(hack/control-plane.sh $(CONTROL_PLANE_CACHE)) DEMO_OUT=$(DEMO_OUT) $(GO) run ./test/demo

##@ Test

.PHONY: test
test: control-plane $(CONTROLLER_GEN) ## Unit, contract, end-to-end, chart, image-under-runc and generated-file tests, then the demo checked by openssl.
	$(MAKE) vet
	$(GO) -C test/bench test -count=1 ./...
	KUBEBUILDER_ASSETS=$$(hack/control-plane.sh $(CONTROL_PLANE_CACHE)) CONTROLLER_GEN=$(CONTROLLER_GEN) \
		$(GO) test -race -count=1 ./api/... ./internal/... ./cmd/...
	KUBEBUILDER_ASSETS=$$(hack/control-plane.sh $(CONTROL_PLANE_CACHE)) CONTROLLER_GEN=$(CONTROLLER_GEN) \
		$(GO) test -count=1 -timeout 20m ./test/...
	$(MAKE) test-demo

.PHONY: test-demo
test-demo: ## Run the demo into a fresh folder and check its chain with openssl.
	rm -rf $(DEMO_OUT)
	$(MAKE) demo DEMO_OUT=$(DEMO_OUT)
	openssl verify -CAfile $(DEMO_OUT)/ca.crt -untrusted $(DEMO_OUT)/tls.crt $(DEMO_OUT)/tls.crt

##@ Other

.PHONY: clean
clean: ## Remove build output (keeps the control-plane cache).
	rm -rf $(BIN)/pca-issuer $(BIN)/pca-emulator $(DEMO_OUT) dist

# The variables named in help texts, passed to hack/help.awk by value.
HELP_VARS = $(sort $(shell grep -h '^[a-zA-Z0-9_.-]*:.*\#\# ' $(MAKEFILE_LIST) | grep -o '\$$([A-Za-z_]*)' | tr -d '$$()'))

.PHONY: help
help: ## Show this help, with the variables' current values.
	@env $(foreach v,$(HELP_VARS),$(v)='$($(v))') awk -f hack/help.awk $(MAKEFILE_LIST)

include hack/helm.mk
include hack/bench.mk
