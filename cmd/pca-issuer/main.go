// Command pca-issuer is the controller manager of pca-issuer: it reconciles
// PCAIssuers, PCAClusterIssuers and the cert-manager CertificateRequests
// that point at them.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/nhnpca/pca-issuer/internal/controller"
)

// version is stamped at build time with -ldflags "-X main.version=...".
var version = "dev"

// flags are the command-line settings of the manager.
type flags struct {
	metricsAddr, probeAddr   string
	leaderElect              bool
	leaderElectionNamespace  string
	clusterResourceNamespace string
	healthCheckInterval      time.Duration
	maxConcurrentReconciles  int
	maxRetryDuration         time.Duration
}

func parseFlags() (flags, zap.Options) {
	var f flags
	flag.StringVar(&f.metricsAddr, "metrics-bind-address", ":8080", "Address of the Prometheus metrics endpoint; 0 disables it.")
	flag.StringVar(&f.probeAddr, "health-probe-bind-address", ":8081", "Address of the /healthz and /readyz endpoints.")
	flag.BoolVar(&f.leaderElect, "leader-elect", false, "Elect a leader so that only one replica reconciles at a time.")
	flag.StringVar(&f.leaderElectionNamespace, "leader-election-namespace", "", "Namespace of the leader election lease; defaults to the pod's namespace.")
	flag.StringVar(&f.clusterResourceNamespace, "cluster-resource-namespace", "cert-manager", "Namespace whose Secrets PCAClusterIssuers may read.")
	flag.DurationVar(&f.healthCheckInterval, "issuer-health-check-interval", 5*time.Minute, "How often a Ready issuer's store and template are read again.")
	flag.IntVar(&f.maxConcurrentReconciles, "max-concurrent-reconciles", 4, "How many CertificateRequests are signed at once.")
	flag.DurationVar(&f.maxRetryDuration, "max-retry-duration", time.Hour, "How long after its creation a request failing with retryable errors is retried before it is marked Failed.")
	// --kubeconfig is registered by controller-runtime's config package.
	opts := zap.Options{}
	opts.BindFlags(flag.CommandLine)
	flag.Parse()
	return f, opts
}

func main() {
	f, zapOpts := parseFlags()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))
	if err := run(ctrl.SetupSignalHandler(), f); err != nil {
		ctrl.Log.Error(err, "pca-issuer stopped")
		os.Exit(1)
	}
}

func run(ctx context.Context, f flags) error {
	ctrl.Log.Info("starting pca-issuer", "version", version)
	scheme, err := controller.NewScheme()
	if err != nil {
		return err
	}
	cfg, err := ctrl.GetConfig()
	if err != nil {
		return fmt.Errorf("loading the kubeconfig: %w", err)
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                  scheme,
		Cache:                   controller.CacheOptions(),
		Metrics:                 metricsserver.Options{BindAddress: f.metricsAddr},
		HealthProbeBindAddress:  f.probeAddr,
		LeaderElection:          f.leaderElect,
		LeaderElectionID:        "pca-issuer.nhnpca.issuer.dev",
		LeaderElectionNamespace: f.leaderElectionNamespace,
		// A stopped replica hands the lease over at once instead of making
		// the next leader wait for it to expire; safe because main exits as
		// soon as the manager stops.
		LeaderElectionReleaseOnCancel: true,
	})
	if err != nil {
		return fmt.Errorf("creating the manager: %w", err)
	}
	if err := controller.Setup(ctx, mgr, controller.Options{
		ClusterResourceNamespace:  f.clusterResourceNamespace,
		IssuerHealthCheckInterval: f.healthCheckInterval,
		MaxConcurrentReconciles:   f.maxConcurrentReconciles,
		MaxRetryDuration:          f.maxRetryDuration,
	}); err != nil {
		return err
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("readyz", controller.CacheSynced(mgr.GetCache())); err != nil {
		return err
	}
	return mgr.Start(ctx)
}
