package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/controller"
	"github.com/nhnpca/pca-issuer/internal/emulator"
)

// Options shape a harness. The zero value runs cert-manager with its
// approver, an EC root in the emulator, and no pca-issuer manager (call
// StartManager, or set Manager).
type Options struct {
	// ClusterResourceNamespace is cert-manager's and pca-issuer's cluster
	// resource namespace; default "cert-manager". The harness creates it.
	ClusterResourceNamespace string
	// NoApprover leaves cert-manager's approver out, so that tests approve
	// or deny CertificateRequests themselves.
	NoApprover bool
	// BuiltinCA also runs cert-manager's own CA issuer.
	BuiltinCA bool
	// KeyAlgorithm of the emulator's root and intermediate: "EC" (default)
	// or "RSA".
	KeyAlgorithm string
	// Manager, when set, starts the pca-issuer manager with these options.
	Manager *controller.Options
	// Logger receives pca-issuer's logs; default: discarded.
	Logger logr.Logger
	// Progress receives a line per start-up step; default: none.
	Progress func(format string, args ...any)
}

// Harness is a running control plane with cert-manager and the emulator.
type Harness struct {
	// Config reaches the API server as a cluster admin, for the tests' own
	// work; managers never use it.
	Config *rest.Config
	// Identity is the chart's ServiceAccount, applied with the chart's
	// RBAC; every manager the harness starts authenticates as it.
	Identity *ChartIdentity
	// Client is a direct (uncached) client with pca-issuer's scheme.
	Client client.Client
	// Kubeconfig is the path of a kubeconfig file for Config.
	Kubeconfig string
	// ChartKubeconfig is the path of a kubeconfig file for
	// Identity.Config(), for a manager run as a process.
	ChartKubeconfig string
	// ClusterResourceNamespace is where PCAClusterIssuer Secrets live.
	ClusterResourceNamespace string
	// Emulator is the in-process PCA emulator; tests read its counters.
	Emulator *emulator.Emulator
	// PCAURL is the emulator's HTTPS base URL, for url and tokenURL.
	PCAURL string
	// PCACABundle is the PEM CA of the emulator's serving certificate.
	PCACABundle []byte
	// PCA holds the ids the emulator bootstrap created.
	PCA *emulator.BootstrapResult

	ctx      context.Context
	cancel   context.CancelFunc
	env      *envtest.Environment
	emulator *pcaEmulator
	tmp      string
	logger   logr.Logger
	managers managerSet
}

// Start brings the whole stack up. Stop it with Stop, even after an error
// from a later step of the caller.
func Start(opts Options) (_ *Harness, err error) {
	progress := opts.Progress
	if progress == nil {
		progress = func(string, ...any) {}
	}
	h := &Harness{ClusterResourceNamespace: opts.ClusterResourceNamespace, logger: opts.Logger}
	if h.ClusterResourceNamespace == "" {
		h.ClusterResourceNamespace = "cert-manager"
	}
	if h.logger.GetSink() == nil {
		h.logger = logr.Discard()
	}
	klog.SetLogger(logr.Discard()) // cert-manager logs through klog
	h.ctx, h.cancel = context.WithCancel(context.Background())
	defer func() {
		if err != nil {
			_ = h.Stop()
		}
	}()
	if h.tmp, err = os.MkdirTemp("", "pca-issuer-harness-"); err != nil {
		return nil, err
	}
	progress("starting kube-apiserver and etcd")
	if err = h.startControlPlane(); err != nil {
		return nil, err
	}
	progress("starting the PCA emulator")
	if h.emulator, err = startEmulator(orDefault(opts.KeyAlgorithm, "EC")); err != nil {
		return nil, err
	}
	h.Emulator, h.PCAURL, h.PCACABundle, h.PCA = h.emulator.emu, h.emulator.server.URL, h.emulator.caBundle, h.emulator.ids
	progress("starting the cert-manager controllers")
	if err = startCertManager(h.ctx, h.Kubeconfig, h.ClusterResourceNamespace, cmControllerNames(opts)); err != nil {
		return nil, err
	}
	if opts.Manager != nil {
		progress("starting pca-issuer")
		if err = h.StartManager(*opts.Manager); err != nil {
			return nil, err
		}
	}
	return h, nil
}

func cmControllerNames(opts Options) []string {
	names := append([]string{}, certManagerControllers...)
	if !opts.NoApprover {
		names = append(names, approverController)
	}
	if opts.BuiltinCA {
		names = append(names, builtinCAControllers...)
	}
	return names
}

// startControlPlane starts envtest with our CRDs, cert-manager's and the
// Gateway API's, writes a kubeconfig, creates the cluster resource
// namespace and applies the chart's ServiceAccount and RBAC.
func (h *Harness) startControlPlane() error {
	root, err := RepoRoot()
	if err != nil {
		return err
	}
	assets, err := ControlPlaneAssets(root)
	if err != nil {
		return err
	}
	cmCRDs, err := certManagerCRDs(root)
	if err != nil {
		return err
	}
	gatewayCRDs, err := gatewayAPICRDs(root)
	if err != nil {
		return err
	}
	scheme, err := controller.NewScheme()
	if err != nil {
		return err
	}
	h.env = &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     []string{filepath.Join(root, "config", "crd", "bases"), cmCRDs, gatewayCRDs},
		ErrorIfCRDPathMissing: true,
		Scheme:                scheme,
	}
	if h.Config, err = h.env.Start(); err != nil {
		return fmt.Errorf("harness: starting the control plane: %w", err)
	}
	h.Kubeconfig = filepath.Join(h.tmp, "kubeconfig")
	if err := os.WriteFile(h.Kubeconfig, h.env.KubeConfig, 0o600); err != nil {
		return err
	}
	if h.Client, err = client.New(h.Config, client.Options{Scheme: scheme}); err != nil {
		return err
	}
	if err := h.CreateNamespace(h.ctx, h.ClusterResourceNamespace); err != nil {
		return err
	}
	return h.applyChartIdentity(h.ctx, root)
}

// Stop stops the manager, cert-manager, the emulator and the control
// plane, and removes the harness's files.
func (h *Harness) Stop() error {
	errs := []error{h.StopManager()}
	h.cancel()
	if h.emulator != nil {
		h.emulator.server.Close()
	}
	if h.env != nil && h.Config != nil {
		errs = append(errs, h.env.Stop())
	}
	if h.tmp != "" {
		errs = append(errs, os.RemoveAll(h.tmp))
	}
	return errors.Join(errs...)
}

// CreateNamespace creates a namespace; one that exists already is fine.
func (h *Harness) CreateNamespace(ctx context.Context, name string) error {
	err := h.Client.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}})
	return client.IgnoreAlreadyExists(err)
}

// CredentialsSecret returns a Secret holding the emulator's credentials
// under the keys a PCAIssuer reads.
func (h *Harness) CredentialsSecret(namespace, name string) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		StringData: map[string]string{
			v1alpha1.SecretKeyAppKey:          AppKey,
			v1alpha1.SecretKeyAccessKeyID:     AccessKeyID,
			v1alpha1.SecretKeySecretAccessKey: SecretAccessKey,
		},
	}
}

// IssuerSpec returns a spec pointing at the emulator's bootstrap store and
// its leaf templates, reading the Secret secretName: spec.templateId is the
// RSA 2048 template (cert-manager's default key) and
// spec.allowedTemplateIds lists the EC P-256 and Ed25519 ones, so that the
// issuer signs each of those keys with the template that fits it.
func (h *Harness) IssuerSpec(secretName string) v1alpha1.PCAIssuerSpec {
	return v1alpha1.PCAIssuerSpec{
		URL:                h.PCAURL,
		TokenURL:           h.PCAURL,
		CAStoreID:          h.PCA.CAStoreID,
		TemplateID:         h.PCA.TemplateID,
		AllowedTemplateIDs: []int64{h.PCA.ECTemplateID, h.PCA.Ed25519TemplateID},
		CredentialsRef:     v1alpha1.SecretReference{Name: secretName},
		CABundle:           h.PCACABundle,
	}
}

// Context returns the harness's context, canceled by Stop.
func (h *Harness) Context() context.Context { return h.ctx }

// WaitTimeout is how long the Wait helpers wait by default.
const WaitTimeout = 60 * time.Second

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
