package controller

import (
	"context"
	"crypto/x509"
	"fmt"

	cmutil "github.com/cert-manager/cert-manager/pkg/api/util"
	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

// kindCertificate keys Certificates in the check schedule.
const kindCertificate = "Certificate"

// CertificateRevocationReconciler checks the certificate in the Secret of
// each cert-manager Certificate whose issuerRef names a PCAIssuer or
// PCAClusterIssuer against the PCA's revocation status, every
// spec.revocation.checkInterval of its issuer, and renews it at once when
// it was revoked outside the cluster (docs/revocation.md, "Revocation
// checks").
type CertificateRevocationReconciler struct {
	*revocationChecker
}

// Reconcile checks one Certificate when its time has come. A revoked
// certificate still in the Secret is renewed as `cmctl renew` does (the
// Issuing condition, reason CertificateRevoked) with a Warning event
// naming its serial and the revocation reason, once per serial.
func (r *CertificateRevocationReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	key := checkKey{kind: kindCertificate, NamespacedName: req.NamespacedName}
	var crt cmapi.Certificate
	if err := r.client.Get(ctx, req.NamespacedName, &crt); err != nil {
		if client.IgnoreNotFound(err) == nil {
			r.forget(key)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err) // gone: done; else requeue with backoff
	}
	ref, ours := certificateIssuerRef(&crt)
	if !ours {
		r.forget(key)
		return ctrl.Result{}, nil
	}
	return r.reconcile(ctx, subject{
		key: key, ref: ref, busy: certificateIssuing(&crt),
		leaf: func(ctx context.Context) (*x509.Certificate, []*x509.Certificate, error) {
			return secretChain(ctx, r.apiReader, &crt)
		},
		revoked: func(ctx context.Context, leaf *x509.Certificate, serial, message string) (bool, error) {
			return r.renewRevoked(ctx, &crt, leaf, serial, message)
		},
	})
}

// renewRevoked renews crt, whose Secret held the revoked leaf, unless the
// Secret now holds another certificate or a renewal is on its way.
func (r *CertificateRevocationReconciler) renewRevoked(ctx context.Context, crt *cmapi.Certificate, leaf *x509.Certificate, serial, message string) (bool, error) {
	current, err := currentLeaf(ctx, r.apiReader, crt)
	if err != nil || current.SerialNumber.Cmp(leaf.SerialNumber) != 0 {
		return false, nil // replaced meanwhile: nothing to renew
	}
	message += "; renewing Certificate " + crt.Name + " (Secret " + crt.Spec.SecretName + ")"
	if err := renewCertificate(ctx, r.client, crt, v1alpha1.ReasonCertificateRevoked, message); err != nil {
		return false, err
	}
	r.recorder.Eventf(crt, nil, corev1.EventTypeWarning, v1alpha1.ReasonCertificateRevoked, "CheckRevocation", "%s", message)
	ctrl.LoggerFrom(ctx).Info("renewing a certificate revoked in the PCA", "serial", serial)
	return true, nil
}

// certificateIssuerRef returns the issuer crt names when it is a PCAIssuer
// (in crt's namespace) or a PCAClusterIssuer, and false otherwise.
func certificateIssuerRef(crt *cmapi.Certificate) (issuerRef, bool) {
	return issuerRefOf(crt.Spec.IssuerRef, crt.Namespace)
}

// certificateIssuing reports whether crt's Issuing condition is True: a
// renewal is on its way.
func certificateIssuing(crt *cmapi.Certificate) bool {
	return cmutil.CertificateHasCondition(crt, cmapi.CertificateCondition{Type: cmapi.CertificateConditionIssuing, Status: cmmeta.ConditionTrue})
}

// SetupWithManager registers the reconciler with mgr, watching the
// Certificates that name this controller's issuers. Status changes wake
// it too; the check schedule keeps their cost to a map lookup.
func (r *CertificateRevocationReconciler) SetupWithManager(mgr ctrl.Manager) error {
	ours := predicate.NewPredicateFuncs(func(obj client.Object) bool {
		crt, ok := obj.(*cmapi.Certificate)
		if !ok {
			return false
		}
		_, ours := certificateIssuerRef(crt)
		return ours
	})
	return ctrl.NewControllerManagedBy(mgr).
		Named("certificate-revocation").
		For(&cmapi.Certificate{}, builder.WithPredicates(ours)).
		WithOptions(controller.Options{MaxConcurrentReconciles: r.opts.MaxConcurrentReconciles}).
		Complete(r)
}

// setupRevocationChecks registers the revocation checks of Certificates
// and of Kubernetes CSRs, sharing checker and its caches.
func setupRevocationChecks(mgr ctrl.Manager, checker *revocationChecker) error {
	if err := (&CertificateRevocationReconciler{checker}).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the Certificate revocation controller: %w", err)
	}
	if err := (&CSRRevocationReconciler{checker}).SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the CertificateSigningRequest revocation controller: %w", err)
	}
	return nil
}
