// Command pca-issuer is the controller manager of pca-issuer: it reconciles
// PCAIssuers, PCAClusterIssuers and the cert-manager CertificateRequests
// and Kubernetes CertificateSigningRequests that point at them.
//
// Run "pca-issuer --help" for the flags. It exits 0 after --help and
// --version, 2 on a bad command line, and 1 when it cannot start or stops
// with an error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/nhnpca/pca-issuer/internal/controller"
)

// version is stamped at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	f, zapOpts, err := parseFlags(os.Args[1:], os.Stdout, os.Stderr)
	var bad usageError
	switch {
	case errors.Is(err, flag.ErrHelp), errors.Is(err, errVersion):
		return
	case errors.Is(err, errUsage):
		os.Exit(2)
	case errors.As(err, &bad):
		fmt.Fprintln(os.Stderr, "pca-issuer:", err)
		os.Exit(2)
	}
	cfg, err := restConfig(f.kubeconfig)
	if err != nil {
		// One line, no stack trace: there is nothing to debug.
		fmt.Fprintln(os.Stderr, "pca-issuer:", err)
		os.Exit(1)
	}
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))
	if err := run(ctrl.SetupSignalHandler(), cfg, f); err != nil {
		ctrl.Log.Error(err, "pca-issuer stopped")
		os.Exit(1)
	}
}

// run starts the manager on the cluster of cfg and blocks until ctx ends.
func run(ctx context.Context, cfg *rest.Config, f flags) error {
	ctrl.Log.Info("starting pca-issuer", "version", version)
	scheme, err := controller.NewScheme()
	if err != nil {
		return err
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                  scheme,
		Cache:                   controller.CacheOptions(),
		Metrics:                 controller.MetricsServerOptions(f.metricsAddr, f.metricsSecure),
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
		MinimumDuration:           f.minimumDuration,
		MaxConcurrentPerTenant:    f.maxConcurrentPerTenant,
		ReconcileTimeout:          f.reconcileTimeout,
		AllowedNetworks:           f.allowedNetworks,
		AllowInsecureHTTP:         f.insecureAllowHTTP,
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
