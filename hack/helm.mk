# Helm chart, container image and installer targets; included by the Makefile.

HELM        ?= $(BIN)/helm
KUSTOMIZE   ?= $(BIN)/kustomize
CHART       ?= charts/pca-issuer
IMG         ?= ghcr.io/nhnpca/pca-issuer:$(VERSION)
CONTAINER_TOOL ?= docker
PLATFORMS   ?= linux/amd64,linux/arm64
INSTALLER   ?= dist/install.yaml

# The chart tests in test/install use the same binaries as the targets.
export HELM KUSTOMIZE

##@ Tools

# Helm is built from hack/tools/helm with the version stamps its own release
# build sets, so that `helm version` tells the truth and `helm template`
# assumes the Kubernetes minor of its client libraries instead of 1.20.
$(HELM): hack/tools/helm/go.mod
	cd hack/tools/helm && \
	helm_version=$$($(GO) list -m -f '{{.Version}}' helm.sh/helm/v3) && \
	k8s_minor=$$($(GO) list -m -f '{{.Version}}' k8s.io/client-go | cut -d. -f2) && \
	$(GO) build -o $(HELM) -ldflags "-s -w \
		-X helm.sh/helm/v3/internal/version.version=$$helm_version \
		-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$$k8s_minor \
		-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$$k8s_minor" \
		helm.sh/helm/v3/cmd/helm

.PHONY: helm
helm: $(HELM) ## Build bin/helm from the Go module proxy (version pinned in hack/tools/helm).

$(KUSTOMIZE): hack/tools/kustomize/go.mod
	cd hack/tools/kustomize && $(GO) build -o $(KUSTOMIZE) sigs.k8s.io/kustomize/kustomize/v5

.PHONY: kustomize
kustomize: $(KUSTOMIZE) ## Build bin/kustomize from the Go module proxy (hack/tools/kustomize).

##@ Chart

.PHONY: helm-crds
helm-crds: ## Copy config/crd/bases and config/rbac/role.yaml into the chart (after make manifests).
	$(GO) -C hack/tools/helm run ./chartsync -root $(CURDIR) -chart $(CHART)

.PHONY: helm-lint
helm-lint: $(HELM) ## Lint the chart and render it with its default values.
	$(HELM) lint --strict $(CHART)
	$(HELM) template pca-issuer $(CHART) --namespace pca-issuer-system >/dev/null

.PHONY: helm-package
helm-package: $(HELM) ## Package the chart into dist/.
	$(HELM) package $(CHART) --destination dist

##@ Container image and installer

.PHONY: docker-build
docker-build: ## Build the manager image $(IMG) (needs a container engine).
	$(CONTAINER_TOOL) build --build-arg VERSION=$(VERSION) --build-arg REVISION=$(REVISION) -t $(IMG) .

.PHONY: docker-push
docker-push: ## Push the manager image $(IMG).
	$(CONTAINER_TOOL) push $(IMG)

.PHONY: docker-buildx
docker-buildx: ## Build and push $(IMG) for $(PLATFORMS).
	$(CONTAINER_TOOL) buildx build --push --platform $(PLATFORMS) --build-arg VERSION=$(VERSION) --build-arg REVISION=$(REVISION) -t $(IMG) .

# The installer is config/default with the image set to $(IMG), built in a
# throw-away overlay so that no committed file changes.
.PHONY: build-installer
build-installer: $(KUSTOMIZE) ## Write $(INSTALLER): CRDs, RBAC and the manager with image $(IMG).
	@mkdir -p dist $(dir $(INSTALLER))
	@overlay=$$(mktemp -d dist/.installer.XXXXXX) && trap 'rm -rf "$$overlay"' EXIT && \
	printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../config/default\n' >"$$overlay/kustomization.yaml" && \
	(cd "$$overlay" && $(KUSTOMIZE) edit set image ghcr.io/nhnpca/pca-issuer=$(IMG)) && \
	$(KUSTOMIZE) build "$$overlay" >$(INSTALLER)
	@echo wrote $(INSTALLER) with image $(IMG)

# make test needs both tools for test/install.
test: $(HELM) $(KUSTOMIZE)
