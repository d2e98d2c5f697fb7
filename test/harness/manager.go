package harness

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"

	"github.com/nhnpca/pca-issuer/internal/controller"
)

// LoopbackNetworks are the loopback ranges, which managers of the harness
// may dial because the emulator listens there.
var LoopbackNetworks = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// ManagerConfig shapes one in-process pca-issuer manager.
type ManagerConfig struct {
	// Options of the reconcilers; ClusterResourceNamespace defaults to the
	// harness's.
	Options controller.Options
	// LeaderElection makes the manager take part in leader election with
	// short timings (lease 4 s, renew 3 s, retry 500 ms); a stopped
	// manager does not release its lease, as a killed process would not.
	LeaderElection bool
	// MetricsAddr serves /metrics there (e.g. "127.0.0.1:18080"); empty
	// disables it.
	MetricsAddr string
	// WrapClient, when set, wraps the manager's client, e.g. to inject
	// update conflicts.
	WrapClient func(client.WithWatch) client.Client
}

// Manager is a running in-process pca-issuer manager.
type Manager struct {
	config  *rest.Config
	cancel  context.CancelFunc
	done    chan error
	elected <-chan struct{}
	once    sync.Once
	err     error
}

// Config returns a copy of the client configuration the manager
// authenticates with.
func (m *Manager) Config() *rest.Config { return rest.CopyConfig(m.config) }

// Elected is closed once the manager leads (at once without election).
func (m *Manager) Elected() <-chan struct{} { return m.elected }

// Stop stops the manager and waits for it to end.
func (m *Manager) Stop() error {
	m.once.Do(func() {
		m.cancel()
		m.err = <-m.done
	})
	return m.err
}

// RunManager starts a pca-issuer manager in-process, as cmd/pca-issuer
// does, authenticated as the chart's ServiceAccount (h.Identity) and
// electing in the chart's leader election namespace, and returns once its
// caches have synced. A call the chart's RBAC does not allow fails as it
// would in a cluster.
func (h *Harness) RunManager(cfg ManagerConfig) (*Manager, error) {
	opts := cfg.Options
	if opts.ClusterResourceNamespace == "" {
		opts.ClusterResourceNamespace = h.ClusterResourceNamespace
	}
	if opts.AllowedNetworks == nil {
		// The emulator listens on loopback, which the manager refuses to
		// dial unless told (--allowed-networks in a deployment).
		opts.AllowedNetworks = LoopbackNetworks
	}
	scheme, err := controller.NewScheme()
	if err != nil {
		return nil, err
	}
	metricsAddr := cfg.MetricsAddr
	if metricsAddr == "" {
		metricsAddr = "0"
	}
	skip := true
	lease, renew, retry := 4*time.Second, 3*time.Second, 500*time.Millisecond
	mgrOpts := ctrl.Options{
		Scheme: scheme,
		Cache:  controller.CacheOptions(),
		// As deployed: HTTPS for callers allowed get on /metrics.
		Metrics:                 controller.MetricsServerOptions(metricsAddr, true),
		HealthProbeBindAddress:  "0",
		Logger:                  h.logger,
		LeaderElection:          cfg.LeaderElection,
		LeaderElectionID:        "pca-issuer.nhnpca.issuer.dev",
		LeaderElectionNamespace: h.Identity.LeaderElectionNamespace,
		LeaseDuration:           &lease,
		RenewDeadline:           &renew,
		RetryPeriod:             &retry,
		// Each manager registers the same controller names again.
		Controller: config.Controller{SkipNameValidation: &skip},
	}
	if cfg.WrapClient != nil {
		mgrOpts.NewClient = func(c *rest.Config, o client.Options) (client.Client, error) {
			inner, err := client.NewWithWatch(c, o)
			if err != nil {
				return nil, err
			}
			return cfg.WrapClient(inner), nil
		}
	}
	restConfig := h.Identity.Config()
	// As ctrl.GetConfig in cmd/pca-issuer: no client-side rate limit, the
	// API server's priority and fairness decides.
	restConfig.QPS = -1
	mgr, err := ctrl.NewManager(restConfig, mgrOpts)
	if err != nil {
		return nil, fmt.Errorf("harness: manager: %w", err)
	}
	ctx, cancel := context.WithCancel(h.ctx)
	if err := controller.Setup(ctx, mgr, opts); err != nil {
		cancel()
		return nil, err
	}
	m := &Manager{config: mgr.GetConfig(), cancel: cancel, done: make(chan error, 1), elected: mgr.Elected()}
	go func() { m.done <- mgr.Start(ctx) }()
	if !mgr.GetCache().WaitForCacheSync(ctx) {
		cancel()
		return nil, fmt.Errorf("harness: the manager's caches did not sync: %w", <-m.done)
	}
	return m, nil
}

// managerSet guards the harness's default manager.
type managerSet struct {
	mu      sync.Mutex
	current *Manager
}

// StartManager starts the harness's default manager with opts. Only one
// default manager runs at a time: call StopManager first to restart it.
func (h *Harness) StartManager(opts controller.Options) error {
	h.managers.mu.Lock()
	defer h.managers.mu.Unlock()
	if h.managers.current != nil {
		return fmt.Errorf("harness: a manager is already running")
	}
	m, err := h.RunManager(ManagerConfig{Options: opts})
	if err != nil {
		return err
	}
	h.managers.current = m
	return nil
}

// DefaultManager returns the default manager, nil when none runs.
func (h *Harness) DefaultManager() *Manager {
	h.managers.mu.Lock()
	defer h.managers.mu.Unlock()
	return h.managers.current
}

// StopManager stops the default manager, if any, and waits for it to end.
func (h *Harness) StopManager() error {
	h.managers.mu.Lock()
	defer h.managers.mu.Unlock()
	m := h.managers.current
	h.managers.current = nil
	if m == nil {
		return nil
	}
	return m.Stop()
}
