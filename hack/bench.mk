# Benchmark of pca-issuer against cert-manager's built-in CA issuer on the
# test harness; see docs/benchmarks.md. Included by the Makefile. The
# benchmark is a module of its own (test/bench/go.mod), run with go -C.

BENCH_N          ?= 500
BENCH_LATENCY    ?= 50ms
BENCH_RECONCILES ?= 16
BENCH_FINISHED   ?= 0
BENCH_OUT        ?= $(CURDIR)/_bench
BENCH_FLAGS      ?=

##@ Benchmarks

.PHONY: bench
bench: control-plane ## Throughput, latency, PCA calls and memory vs cert-manager's CA issuer into $(BENCH_OUT) (BENCH_N=$(BENCH_N) BENCH_LATENCY=$(BENCH_LATENCY) BENCH_RECONCILES=$(BENCH_RECONCILES) BENCH_FINISHED=$(BENCH_FINISHED) BENCH_FLAGS=$(BENCH_FLAGS)).
	KUBEBUILDER_ASSETS=$$(hack/control-plane.sh $(CONTROL_PLANE_CACHE)) $(GO) -C test/bench run . \
		-n $(BENCH_N) -latency $(BENCH_LATENCY) -max-concurrent-reconciles $(BENCH_RECONCILES) \
		-finished-requests $(BENCH_FINISHED) -out $(BENCH_OUT) $(BENCH_FLAGS)

.PHONY: bench-go
bench-go: ## Go benchmarks: the emulator's SIGN issuance vs bare x509.CreateCertificate, and the signer.
	$(GO) test -run '^$$' -bench . -benchmem ./internal/emulator ./internal/signer
