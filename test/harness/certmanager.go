package harness

import (
	"context"
	"fmt"

	cmcontroller "github.com/cert-manager/cert-manager/pkg/controller"
	// The blank imports register the cert-manager controllers the harness
	// runs, as the cert-manager binary does.
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
// Certificate into a CertificateRequest and its result into a Secret.
var certManagerControllers = []string{
	"certificates-issuing",
	"certificates-key-manager",
	"certificates-request-manager",
	"certificates-readiness",
	"certificates-trigger",
	"certificates-revision-manager",
}

// approverController approves every CertificateRequest, as cert-manager's
// default deployment does.
const approverController = "certificaterequests-approver"

// builtinCAControllers run cert-manager's own CA issuer, the in-process
// ceiling the benchmark compares against.
var builtinCAControllers = []string{"issuers", "clusterissuers", "certificaterequests-issuer-ca"}

// startCertManager runs the named cert-manager controllers in goroutines
// until ctx ends, then starts their shared informers.
func startCertManager(ctx context.Context, kubeconfig, clusterResourceNamespace string, names []string) error {
	factory, err := cmcontroller.NewContextFactory(ctx, cmcontroller.ContextOptions{
		Kubeconfig:         kubeconfig,
		KubernetesAPIQPS:   1000,
		KubernetesAPIBurst: 2000,
		IssuerOptions:      cmcontroller.IssuerOptions{ClusterResourceNamespace: clusterResourceNamespace},
		// cert-manager's default: copy Certificate annotations to requests.
		CertificateOptions: cmcontroller.CertificateOptions{
			CopiedAnnotationPrefixes: []string{"*", "-kubectl.kubernetes.io/", "-fluxcd.io/", "-argocd.argoproj.io/"},
		},
	})
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
		go func() { _ = c.Run(4, ctx) }()
	}
	cmctx, err := factory.Build()
	if err != nil {
		return fmt.Errorf("harness: cert-manager context: %w", err)
	}
	// Without starting the shared informers nothing moves.
	cmctx.KubeSharedInformerFactory.Start(ctx.Done())
	cmctx.SharedInformerFactory.Start(ctx.Done())
	return nil
}
