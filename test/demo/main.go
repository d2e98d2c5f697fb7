// Command demo runs the main job of pca-issuer on one machine: it starts a
// real kube-apiserver and etcd, the cert-manager controllers, the embedded
// PCA emulator and pca-issuer; applies the Secret, PCAIssuer and
// Certificate of config/samples; waits for the Certificate; writes tls.crt
// and ca.crt into $DEMO_OUT (default ./_demo); prints and verifies the
// chain; and stops everything.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/controller"
	"github.com/nhnpca/pca-issuer/test/harness"
)

const namespace = "default"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
}

func progress(format string, args ...any) {
	fmt.Printf("==> "+format+"\n", args...)
}

func run() error {
	out := os.Getenv("DEMO_OUT")
	if out == "" {
		out = "_demo"
	}
	// Ctrl-C or SIGTERM ends the demo through the deferred Stop below, so
	// that kube-apiserver and etcd never outlive it.
	interrupted, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stopSignals()
	start := time.Now()
	h, err := harness.Start(harness.Options{Manager: &controller.Options{}, Progress: progress})
	if err != nil {
		return err
	}
	defer func() {
		progress("stopping everything")
		if err := h.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stopping:", err)
		}
	}()
	progress("control plane, cert-manager, PCA emulator (%s) and pca-issuer up in %s", h.PCAURL, time.Since(start).Round(time.Millisecond))
	ctx, cancel := context.WithTimeout(h.Context(), 2*time.Minute)
	defer cancel()
	stopOnSignal := context.AfterFunc(interrupted, cancel)
	defer stopOnSignal()
	if interrupted.Err() != nil {
		return errors.New("interrupted")
	}

	crt, applied, err := applySamples(ctx, h)
	if err != nil {
		return err
	}
	progress("waiting for Certificate %s/%s to be Ready", crt.Namespace, crt.Name)
	if err := h.WaitFor(ctx, crt, time.Minute, "Ready", func() bool { return harness.CertificateReady(crt) }); err != nil {
		return err
	}
	progress("Certificate Ready %s after it was applied", time.Since(applied).Round(time.Millisecond))
	var secret corev1.Secret
	if err := h.Client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: crt.Spec.SecretName}, &secret); err != nil {
		return err
	}
	if err := writeOut(out, &secret); err != nil {
		return err
	}
	return describe(secret.Data[corev1.TLSCertKey], secret.Data["ca.crt"], out)
}

// applySamples creates the sample Secret and PCAIssuer, with the PCAIssuer
// pointed at the embedded emulator, waits for the issuer, then creates the
// sample Certificate and returns it with the time it was applied.
func applySamples(ctx context.Context, h *harness.Harness) (*cmapi.Certificate, time.Time, error) {
	root, err := harness.RepoRoot()
	if err != nil {
		return nil, time.Time{}, err
	}
	var secret corev1.Secret
	var iss v1alpha1.PCAIssuer
	var crt cmapi.Certificate
	for file, obj := range map[string]client.Object{"secret.yaml": &secret, "pcaissuer.yaml": &iss, "certificate.yaml": &crt} {
		data, err := os.ReadFile(filepath.Join(root, "config", "samples", file))
		if err != nil {
			return nil, time.Time{}, err
		}
		if err := yaml.UnmarshalStrict(data, obj); err != nil {
			return nil, time.Time{}, fmt.Errorf("config/samples/%s: %w", file, err)
		}
		obj.SetNamespace(namespace)
	}
	// The emulator listens on a free port with its own serving CA, and its
	// bootstrap made the store and a leaf template per key kind: point the
	// issuer there, RSA 2048 first (cert-manager's default key).
	iss.Spec.URL, iss.Spec.TokenURL, iss.Spec.CABundle = h.PCAURL, h.PCAURL, h.PCACABundle
	iss.Spec.CAStoreID, iss.Spec.TemplateID = h.PCA.CAStoreID, h.PCA.TemplateID
	iss.Spec.AllowedTemplateIDs = []int64{h.PCA.ECTemplateID, h.PCA.Ed25519TemplateID}
	apply := func(obj client.Object) error {
		progress("applying %T %s/%s", obj, obj.GetNamespace(), obj.GetName())
		return h.Client.Create(ctx, obj)
	}
	for _, obj := range []client.Object{&secret, &iss} {
		if err := apply(obj); err != nil {
			return nil, time.Time{}, err
		}
	}
	progress("waiting for PCAIssuer %s to be Ready (store %d, template %d, allowed templates %v)", iss.Name, iss.Spec.CAStoreID, iss.Spec.TemplateID, iss.Spec.AllowedTemplateIDs)
	if err := h.WaitFor(ctx, &iss, time.Minute, "Ready", func() bool { return iss.Status.IsReady(iss.Generation) }); err != nil {
		return nil, time.Time{}, err
	}
	progress("PCAIssuer Ready: %s", iss.Status.ReadyCondition().Message)
	applied := time.Now()
	return &crt, applied, apply(&crt)
}

// writeOut writes tls.crt and ca.crt into dir.
func writeOut(dir string, secret *corev1.Secret) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, key := range []string{corev1.TLSCertKey, "ca.crt"} {
		if err := os.WriteFile(filepath.Join(dir, key), secret.Data[key], 0o644); err != nil {
			return err
		}
	}
	progress("wrote %s and %s", filepath.Join(dir, corev1.TLSCertKey), filepath.Join(dir, "ca.crt"))
	return nil
}
