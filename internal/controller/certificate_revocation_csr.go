package controller

import (
	"context"
	"crypto/x509"
	"fmt"

	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

// kindCSR keys Kubernetes CSRs in the check schedule.
const kindCSR = "CertificateSigningRequest"

// CSRRevocationReconciler checks the certificate of each Kubernetes
// CertificateSigningRequest signed by this controller's signers against
// the PCA's revocation status, as CertificateRevocationReconciler does for
// Certificates. A revoked one gets a Warning event, once per serial: a CSR
// has no way to ask for a new certificate, so its requester must act.
type CSRRevocationReconciler struct {
	*revocationChecker
}

// Reconcile checks one signed CSR when its time has come.
func (r *CSRRevocationReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	key := checkKey{kind: kindCSR, NamespacedName: req.NamespacedName}
	var csr certificatesv1.CertificateSigningRequest
	if err := r.client.Get(ctx, req.NamespacedName, &csr); err != nil {
		if client.IgnoreNotFound(err) == nil {
			r.forget(key)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	ref, ours := parseSignerName(csr.Spec.SignerName)
	if !ours || len(csr.Status.Certificate) == 0 {
		r.forget(key)
		return ctrl.Result{}, nil // not ours, or not signed yet (its update wakes us)
	}
	return r.reconcile(ctx, subject{
		key: key, ref: ref,
		leaf: func(context.Context) (*x509.Certificate, []*x509.Certificate, error) {
			leaf, rest, err := leafOf(types.NamespacedName{Name: csr.Name}, csr.Status.Certificate)
			if err != nil {
				return nil, nil, fmt.Errorf("status.certificate of CertificateSigningRequest %s: %w", csr.Name, err)
			}
			return leaf, pemCertificates(rest, nil), nil
		},
		revoked: func(_ context.Context, _ *x509.Certificate, _, message string) (bool, error) {
			r.recorder.Eventf(&csr, nil, corev1.EventTypeWarning, v1alpha1.ReasonCertificateRevoked, "CheckRevocation",
				"%s; a CertificateSigningRequest cannot be renewed: create a new one", message)
			return true, nil
		},
	})
}

// SetupWithManager registers the reconciler with mgr, watching the CSRs of
// this controller's signer names.
func (r *CSRRevocationReconciler) SetupWithManager(mgr ctrl.Manager) error {
	ours := predicate.NewPredicateFuncs(func(obj client.Object) bool {
		csr, ok := obj.(*certificatesv1.CertificateSigningRequest)
		if !ok {
			return false
		}
		_, ours := parseSignerName(csr.Spec.SignerName)
		return ours
	})
	return ctrl.NewControllerManagedBy(mgr).
		Named("certificatesigningrequest-revocation").
		For(&certificatesv1.CertificateSigningRequest{}, builder.WithPredicates(ours)).
		WithOptions(controller.Options{MaxConcurrentReconciles: r.opts.MaxConcurrentReconciles}).
		Complete(r)
}
