package controller

import (
	"context"
	"fmt"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

// setupRevoking registers the reconcilers that revoke from the cluster:
// the revoke annotation and revokeSuperseded (docs/revocation.md).
func setupRevoking(ctx context.Context, mgr ctrl.Manager, cs *clients, events recorder.EventRecorder, opts Options) error {
	if err := mgr.GetFieldIndexer().IndexField(ctx, &cmapi.CertificateRequest{}, certificateOwnerIndex, certificateOwner); err != nil {
		return err
	}
	rv := &revoker{client: mgr.GetClient(), apiReader: mgr.GetAPIReader(), pcaFor: revokeSourceOf(cs), clock: clock.RealClock{}, timeout: opts.ReconcileTimeout}
	ann := &RevokeAnnotationReconciler{client: mgr.GetClient(), apiReader: mgr.GetAPIReader(), revoker: rv, recorder: events}
	if err := ann.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the revoke annotation controller: %w", err)
	}
	sup := &SupersededReconciler{client: mgr.GetClient(), apiReader: mgr.GetAPIReader(), revoker: rv, recorder: events, clock: clock.RealClock{}}
	if err := sup.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the superseded revocation controller: %w", err)
	}
	return nil
}

// SetupWithManager watches the Certificates of this project's issuers
// that carry the revoke annotation (or its pin).
func (r *RevokeAnnotationReconciler) SetupWithManager(mgr ctrl.Manager) error {
	asked := predicate.NewPredicateFuncs(func(obj client.Object) bool {
		crt, ok := obj.(*cmapi.Certificate)
		if !ok || issuerKind(crt.Spec.IssuerRef) == "" {
			return false
		}
		_, revoke := crt.Annotations[v1alpha1.AnnotationRevoke]
		_, pin := crt.Annotations[AnnotationRevokeSerial]
		return revoke || pin
	})
	return ctrl.NewControllerManagedBy(mgr).
		Named("revoke-annotation").
		For(&cmapi.Certificate{}, builder.WithPredicates(asked)).
		Complete(r)
}

// SetupWithManager watches Certificates (a renewal raises status.revision;
// a deletion releases) and the CertificateRequests held for revocation.
func (r *SupersededReconciler) SetupWithManager(mgr ctrl.Manager) error {
	held := predicate.NewPredicateFuncs(func(obj client.Object) bool {
		cr, ok := obj.(*cmapi.CertificateRequest)
		return ok && hasFinalizer(cr)
	})
	toCertificate := handler.EnqueueRequestsFromMapFunc(func(_ context.Context, obj client.Object) []reconcile.Request {
		var out []reconcile.Request
		for _, name := range certificateOwner(obj) {
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKey{Namespace: obj.GetNamespace(), Name: name}})
		}
		return out
	})
	return ctrl.NewControllerManagedBy(mgr).
		Named("revoke-superseded").
		For(&cmapi.Certificate{}).
		Watches(&cmapi.CertificateRequest{}, toCertificate, builder.WithPredicates(held)).
		Complete(r)
}
