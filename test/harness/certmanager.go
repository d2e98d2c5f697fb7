package harness

import (
	"context"
	"fmt"
	"time"

	cmcontroller "github.com/cert-manager/cert-manager/pkg/controller"
	// The blank imports register the cert-manager controllers the harness
	// runs, as the cert-manager binary does.
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificate-shim/gateways"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificate-shim/ingresses"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/approver"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/ca"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/issuing"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/keymanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/readiness"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/requestmanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/revisionmanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/trigger"
	_ "github.com/cert-manager/cert-manager/pkg/controller/clusterissuers"
	_ "github.com/cert-manager/cert-manager/pkg/controller/issuers"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/ca"
)

// certManagerControllers are the cert-manager controllers that turn a
// Certificate into a CertificateRequest and its result into a Secret, and
// the ingress-shim and gateway-shim that turn annotated Ingresses and
// Gateways into Certificates.
var certManagerControllers = []string{
	"certificates-issuing",
	"certificates-key-manager",
	"certificates-request-manager",
	"certificates-readiness",
	"certificates-trigger",
	"certificates-revision-manager",
	"ingress-shim",
	"gateway-shim",
}

// certManagerOptions are the real cert-manager controller's defaults
// (v1.21.2, internal/apis/config/controller/v1alpha1/defaults.go) for
// every option ContextOptions has, with the Gateway API enabled as
// --enable-gateway-api does. Only the kubeconfig and the cluster resource
// namespace are the harness's.
func certManagerOptions(kubeconfig, clusterResourceNamespace string) cmcontroller.ContextOptions {
	return cmcontroller.ContextOptions{
		Kubeconfig:         kubeconfig,
		KubernetesAPIQPS:   20,
		KubernetesAPIBurst: 50,
		IssuerOptions: cmcontroller.IssuerOptions{
			ClusterResourceNamespace:        clusterResourceNamespace,
			ClusterIssuerAmbientCredentials: true,
			IssuerAmbientCredentials:        false,
		},
		IngressShimOptions: cmcontroller.IngressShimOptions{
			DefaultIssuerKind:                 "Issuer",
			DefaultIssuerGroup:                "cert-manager.io",
			DefaultAutoCertificateAnnotations: []string{"kubernetes.io/tls-acme"},
			ExtraCertificateAnnotations:       []string{},
		},
		CertificateOptions: cmcontroller.CertificateOptions{
			EnableOwnerRef:           false,
			CopiedAnnotationPrefixes: []string{"*", "-kubectl.kubernetes.io/", "-fluxcd.io/", "-argocd.argoproj.io/"},
			// A failed CertificateRequest is retried after an hour, then
			// with exponential backoff up to 32 hours.
			CertificateRequestMinimumBackoffDuration: time.Hour,
			CertificateRequestMaximumBackoffDuration: 32 * time.Hour,
		},
		SchedulerOptions: cmcontroller.SchedulerOptions{MaxConcurrentChallenges: 60},
		ConfigOptions:    cmcontroller.ConfigOptions{EnableGatewayAPI: true},
	}
}

// certManagerWorkers is the real controller's --concurrent-workers default.
const certManagerWorkers = 5

// approverController approves every CertificateRequest, as cert-manager's
// default deployment does.
const approverController = "certificaterequests-approver"

// builtinCAControllers run cert-manager's own CA issuer, the in-process
// ceiling the benchmark compares against.
var builtinCAControllers = []string{"issuers", "clusterissuers", "certificaterequests-issuer-ca"}

// startCertManager runs the named cert-manager controllers in goroutines
// until ctx ends, then starts their shared informers.
func startCertManager(ctx context.Context, kubeconfig, clusterResourceNamespace string, names []string) error {
	factory, err := cmcontroller.NewContextFactory(ctx, certManagerOptions(kubeconfig, clusterResourceNamespace))
	if err != nil {
		return fmt.Errorf("harness: cert-manager context: %w", err)
	}
	for _, name := range names {
		construct, ok := cmcontroller.Known()[name]
		if !ok {
			return fmt.Errorf("harness: cert-manager controller %q is not registered", name)
		}
		c, err := construct(factory)
		if err != nil {
			return fmt.Errorf("harness: cert-manager controller %q: %w", name, err)
		}
		go func() { _ = c.Run(certManagerWorkers, ctx) }()
	}
	cmctx, err := factory.Build()
	if err != nil {
		return fmt.Errorf("harness: cert-manager context: %w", err)
	}
	// Without starting the shared informers nothing moves.
	cmctx.KubeSharedInformerFactory.Start(ctx.Done())
	cmctx.SharedInformerFactory.Start(ctx.Done())
	cmctx.GWShared.Start(ctx.Done())
	return nil
}
