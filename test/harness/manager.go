package harness

import (
	"context"
	"fmt"
	"sync"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/nhnpca/pca-issuer/internal/controller"
)

// runningManager is one pca-issuer manager started in-process.
type runningManager struct {
	cancel context.CancelFunc
	done   chan error
}

// managerSet guards the harness's current manager.
type managerSet struct {
	mu      sync.Mutex
	current *runningManager
}

// StartManager starts the pca-issuer manager in-process, as cmd/pca-issuer
// does, with opts (ClusterResourceNamespace defaults to the harness's). It
// returns once the manager's caches have synced. Only one runs at a time:
// call StopManager first to restart it.
func (h *Harness) StartManager(opts controller.Options) error {
	h.managers.mu.Lock()
	defer h.managers.mu.Unlock()
	if h.managers.current != nil {
		return fmt.Errorf("harness: a manager is already running")
	}
	if opts.ClusterResourceNamespace == "" {
		opts.ClusterResourceNamespace = h.ClusterResourceNamespace
	}
	scheme, err := controller.NewScheme()
	if err != nil {
		return err
	}
	skip := true
	mgr, err := ctrl.NewManager(h.Config, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Logger:                 h.logger,
		// Each restart registers the same controller names again.
		Controller: config.Controller{SkipNameValidation: &skip},
	})
	if err != nil {
		return fmt.Errorf("harness: manager: %w", err)
	}
	ctx, cancel := context.WithCancel(h.ctx)
	if err := controller.Setup(ctx, mgr, opts); err != nil {
		cancel()
		return err
	}
	rm := &runningManager{cancel: cancel, done: make(chan error, 1)}
	go func() { rm.done <- mgr.Start(ctx) }()
	if !mgr.GetCache().WaitForCacheSync(ctx) {
		cancel()
		return fmt.Errorf("harness: the manager's caches did not sync: %w", <-rm.done)
	}
	h.managers.current = rm
	return nil
}

// StopManager stops the running manager, if any, and waits for it to end.
func (h *Harness) StopManager() error {
	h.managers.mu.Lock()
	defer h.managers.mu.Unlock()
	rm := h.managers.current
	if rm == nil {
		return nil
	}
	h.managers.current = nil
	rm.cancel()
	return <-rm.done
}
