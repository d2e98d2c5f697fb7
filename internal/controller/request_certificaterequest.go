package controller

import (
	"context"
	"time"

	apiutil "github.com/cert-manager/cert-manager/pkg/api/util"
	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

// certificateRequest adapts a cert-manager CertificateRequest to the
// pipeline. Its status is cert-manager's: a Ready condition with reason
// Pending, Issued, Failed (with failureTime) or Denied (with failureTime).
type certificateRequest struct {
	cr *cmapi.CertificateRequest
}

func (a certificateRequest) object() client.Object { return a.cr }

func (a certificateRequest) issuerRef() (issuerRef, bool) {
	return issuerRefOf(a.cr.Spec.IssuerRef, a.cr.Namespace)
}

func (a certificateRequest) approved() bool { return apiutil.CertificateRequestIsApproved(a.cr) }
func (a certificateRequest) denied() bool   { return apiutil.CertificateRequestIsDenied(a.cr) }
func (a certificateRequest) finished() bool { return finished(a.cr) }

func (a certificateRequest) spec() (requestSpec, error) {
	s := requestSpec{
		csrPEM: a.cr.Spec.Request, durationField: "spec.duration",
		isCA: a.cr.Spec.IsCA, isCAField: "spec.isCA", usages: a.cr.Spec.Usages,
	}
	if a.cr.Spec.Duration != nil {
		s.duration = a.cr.Spec.Duration.Duration
	}
	return s, nil
}

// authorize allows every request: cert-manager checks that a
// CertificateRequest may use its issuer.
func (a certificateRequest) authorize(context.Context) error { return nil }

func (a certificateRequest) pendingShown() bool {
	c := readyCondition(a.cr)
	return c != nil && c.Reason == cmapi.CertificateRequestReasonPending
}

func (a certificateRequest) setIssued(certificate, ca []byte, message string, now time.Time) {
	a.cr.Status.Certificate, a.cr.Status.CA = certificate, ca
	setReady(a.cr, cmmeta.ConditionTrue, cmapi.CertificateRequestReasonIssued, message, metav1.NewTime(now))
}

func (a certificateRequest) setPending(message string, now time.Time) {
	setPending(a.cr, message, metav1.NewTime(now))
}

// setFailed keeps cert-manager's reason Failed on the condition; reason
// starts message.
func (a certificateRequest) setFailed(_, message string, now time.Time) {
	setFailed(a.cr, message, metav1.NewTime(now))
}

func (a certificateRequest) setDenied(message string, now time.Time) {
	t := metav1.NewTime(now)
	a.cr.Status.FailureTime = &t
	setReady(a.cr, cmmeta.ConditionFalse, cmapi.CertificateRequestReasonDenied, message, t)
}

// CertificateRequestReconciler signs cert-manager CertificateRequests whose
// issuerRef points at a PCAIssuer or PCAClusterIssuer, through the request
// pipeline.
type CertificateRequestReconciler struct {
	pipeline *pipeline
}

// Reconcile signs one CertificateRequest. Requests of other issuers are
// ignored; finished ones (issued, failed, denied) cost nothing. A permanent
// failure returns a reconcile.TerminalError: the request is not retried.
func (r *CertificateRequestReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	return r.pipeline.reconcile(ctx, r, req.NamespacedName)
}

func (r *CertificateRequestReconciler) newObject() client.Object { return &cmapi.CertificateRequest{} }

func (r *CertificateRequestReconciler) adapt(obj client.Object) request {
	return certificateRequest{cr: obj.(*cmapi.CertificateRequest)}
}

func (r *CertificateRequestReconciler) gone(types.NamespacedName) {}

// issuerToRequests maps an issuer to the unfinished CertificateRequests
// that name it, so that an issuer turning Ready wakes them.
func (r *CertificateRequestReconciler) issuerToRequests(kind string) handler.MapFunc {
	return func(ctx context.Context, obj client.Object) []reconcile.Request {
		var list cmapi.CertificateRequestList
		opts := []client.ListOption{client.MatchingFields{issuerRefIndex: issuerRefKey(kind, obj.GetName())}}
		if kind == kindIssuer {
			opts = append(opts, client.InNamespace(obj.GetNamespace()))
		}
		if err := r.pipeline.client.List(ctx, &list, opts...); err != nil {
			ctrl.LoggerFrom(ctx).Error(err, "listing CertificateRequests for issuer", "issuer", obj.GetName())
			return nil
		}
		var reqs []reconcile.Request
		for i := range list.Items {
			if !finished(&list.Items[i]) {
				reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&list.Items[i])})
			}
		}
		return reqs
	}
}

// SetupWithManager registers the reconciler: CertificateRequests of our
// group, and both issuer kinds to wake waiting requests.
func (r *CertificateRequestReconciler) SetupWithManager(mgr ctrl.Manager) error {
	ours := predicate.NewPredicateFuncs(func(obj client.Object) bool {
		cr, ok := obj.(*cmapi.CertificateRequest)
		return ok && issuerKind(cr.Spec.IssuerRef) != ""
	})
	return ctrl.NewControllerManagedBy(mgr).
		Named("certificaterequest").
		For(&cmapi.CertificateRequest{}, builder.WithPredicates(ours)).
		Watches(&v1alpha1.PCAIssuer{}, handler.EnqueueRequestsFromMapFunc(r.issuerToRequests(kindIssuer))).
		Watches(&v1alpha1.PCAClusterIssuer{}, handler.EnqueueRequestsFromMapFunc(r.issuerToRequests(kindClusterIssuer))).
		WithOptions(controller.Options{MaxConcurrentReconciles: r.pipeline.opts.MaxConcurrentReconciles}).
		Complete(r)
}
