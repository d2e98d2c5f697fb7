package controller

import (
	"context"
	"errors"
	"fmt"
	"time"

	apiutil "github.com/cert-manager/cert-manager/pkg/api/util"
	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
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
	"github.com/nhnpca/pca-issuer/internal/metrics"
	"github.com/nhnpca/pca-issuer/internal/signer"
)

// CertificateRequestReconciler signs cert-manager CertificateRequests whose
// issuerRef points at a PCAIssuer or PCAClusterIssuer, through the issuer's
// template in SIGN mode.
type CertificateRequestReconciler struct {
	signing
}

// +kubebuilder:rbac:groups=cert-manager.io,resources=certificaterequests,verbs=get;list;watch;patch;update
// +kubebuilder:rbac:groups=cert-manager.io,resources=certificaterequests/status,verbs=get;patch;update

// Reconcile signs one CertificateRequest. Requests of other issuers are
// ignored; finished ones (issued, failed, denied) cost nothing. An approved
// request is read again past the cache before any PCA call, so that a lagging
// cache never causes a second issuance. The new status is written with one
// patch.
func (r *CertificateRequestReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var cr cmapi.CertificateRequest
	if err := r.client.Get(ctx, req.NamespacedName, &cr); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err) // gone: done; else requeue with backoff
	}
	if issuerKind(cr.Spec.IssuerRef) == "" || finished(&cr) {
		return ctrl.Result{}, nil // not ours, or nothing left to do
	}
	if apiutil.CertificateRequestIsApproved(&cr) && !apiutil.CertificateRequestIsDenied(&cr) {
		if err := r.apiReader.Get(ctx, req.NamespacedName, &cr); err != nil {
			return ctrl.Result{}, client.IgnoreNotFound(err) // requeue with backoff
		}
		if finished(&cr) {
			return ctrl.Result{}, nil // the cache lagged: already done
		}
	}
	orig := cr.DeepCopy()
	result, recErr := r.reconcile(ctx, &cr)
	if !equality.Semantic.DeepEqual(orig.Status, cr.Status) {
		if err := r.client.Status().Patch(ctx, &cr, client.MergeFrom(orig)); err != nil {
			return ctrl.Result{}, client.IgnoreNotFound(err) // requeue with backoff
		}
		r.recordTransition(orig, &cr)
	}
	return result, recErr
}

// reconcile computes the request's new status in cr and says when to come
// back. Its I/O is reading the issuer, the in-flight marker and the PCA.
func (r *CertificateRequestReconciler) reconcile(ctx context.Context, cr *cmapi.CertificateRequest) (ctrl.Result, error) {
	now := metav1.NewTime(r.clock.Now())
	if apiutil.CertificateRequestIsDenied(cr) {
		setReady(cr, cmmeta.ConditionFalse, cmapi.CertificateRequestReasonDenied, "The CertificateRequest was denied by an approval controller", now)
		metrics.ObserveIssuance(issuerLabel(cr), metrics.ResultDenied)
		return ctrl.Result{}, nil // final: never sent to the PCA
	}
	if !apiutil.CertificateRequestIsApproved(cr) {
		return ctrl.Result{}, nil // wait: approval updates the request and wakes us
	}
	iss, err := r.issuerFor(ctx, cr)
	if err != nil {
		return ctrl.Result{}, err // requeue with backoff
	}
	if iss == nil {
		setPending(cr, fmt.Sprintf("%s not found: create it, or fix spec.issuerRef", r.issuerName(cr)), now)
		return ctrl.Result{RequeueAfter: r.opts.PendingRetryInterval}, nil // the issuer's creation wakes us
	}
	if !iss.GetStatus().IsReady(iss.GetGeneration()) {
		setPending(cr, notReadyMessage(r.issuerName(cr), iss), now)
		return ctrl.Result{RequeueAfter: r.opts.PendingRetryInterval}, nil // the issuer turning Ready wakes us
	}
	done := metrics.InFlight()
	defer done()
	return r.sign(ctx, cr, iss, now)
}

// sign selects the template (by annotation, else by the CSR's key), signs
// through the PCA exactly once, and writes the chain.
func (r *CertificateRequestReconciler) sign(ctx context.Context, cr *cmapi.CertificateRequest, iss issuerObject, now metav1.Time) (ctrl.Result, error) {
	spec := iss.GetSpec()
	pc, err := r.clients.For(ctx, iss)
	if err != nil {
		setPending(cr, fmt.Sprintf("%s cannot be used: %v", r.issuerName(cr), err), now)
		return ctrl.Result{RequeueAfter: r.opts.PendingRetryInterval}, nil // the issuer's check reports it
	}
	tmpl, err := r.selectTemplate(ctx, pc, iss, cr.Annotations, cr.Spec.Request, r.issuerName(cr), now.Time)
	if err != nil {
		return r.failure(ctx, cr, iss, err, now)
	}
	templateID := tmpl.ID
	res, err := issue(ctx, pc, spec.CAStoreID, tmpl, signRequest{
		csrPEM: cr.Spec.Request, duration: durationOf(cr), isCA: cr.Spec.IsCA, usages: cr.Spec.Usages,
		templateID: templateID, started: markerTime(cr.Annotations),
		markInFlight: func(ctx context.Context) error { return markInFlight(ctx, r.client, cr, now.Time) },
	})
	if errors.Is(err, errConflict) {
		return ctrl.Result{RequeueAfter: conflictRetry}, nil // the request changed under us: read it again
	}
	if err != nil {
		return r.failure(ctx, cr, iss, err, now)
	}
	for _, w := range res.warnings {
		r.warn(cr, w.Reason, w.Message)
	}
	cr.Status.Certificate, cr.Status.CA = res.certificate, res.ca
	verb := "Signed"
	if res.adopted {
		verb = "Recovered the certificate signed earlier"
	}
	setReady(cr, cmmeta.ConditionTrue, cmapi.CertificateRequestReasonIssued, fmt.Sprintf(
		"%s by template %d of PCA store %d (certificate %d, serial %s)", verb, templateID, spec.CAStoreID, res.certificateID, res.serial), now)
	metrics.ObserveIssuance(issuerLabel(cr), metrics.ResultIssued)
	return ctrl.Result{}, nil // apply patch, done
}

// failure turns a signer error kind into the request's status.
func (r *CertificateRequestReconciler) failure(ctx context.Context, cr *cmapi.CertificateRequest, iss issuerObject, err error, now metav1.Time) (ctrl.Result, error) {
	var issuerErr *signer.IssuerError
	switch {
	case signer.IsPermanent(err):
		setFailed(cr, err.Error(), now)
		metrics.ObserveIssuance(issuerLabel(cr), metrics.ResultFailed)
		return ctrl.Result{}, nil // final: the request must change
	case errors.As(err, &issuerErr):
		if ferr := markIssuerNotReady(ctx, r.client, iss, issuerErr); ferr != nil {
			return ctrl.Result{}, ferr // requeue with backoff
		}
		setPending(cr, fmt.Sprintf("%s cannot sign right now: %v", r.issuerName(cr), err), now)
		return ctrl.Result{RequeueAfter: r.opts.PendingRetryInterval}, nil // the issuer turning Ready wakes us
	case now.Sub(cr.CreationTimestamp.Time) > r.opts.MaxRetryDuration:
		setFailed(cr, fmt.Sprintf("%s: gave up after %s of retries (--max-retry-duration): %v", ReasonRetryWindowPassed, r.opts.MaxRetryDuration, err), now)
		metrics.ObserveIssuance(issuerLabel(cr), metrics.ResultFailed)
		return ctrl.Result{}, nil // final: out of time
	default:
		setPending(cr, fmt.Sprintf("Signing failed, retrying: %v", err), now)
		metrics.ObserveIssuance(issuerLabel(cr), metrics.ResultRetry)
		return ctrl.Result{}, err // requeue with backoff
	}
}

// warn records a Warning event on the request.
func (r *CertificateRequestReconciler) warn(cr *cmapi.CertificateRequest, reason, message string) {
	if r.recorder != nil {
		r.recorder.Eventf(cr, nil, corev1.EventTypeWarning, reason, "Sign", "%s", message)
	}
}

func durationOf(cr *cmapi.CertificateRequest) time.Duration {
	if cr.Spec.Duration == nil {
		return 0
	}
	return cr.Spec.Duration.Duration
}

// issuerFor reads the issuer the request names; nil when it does not exist.
func (r *CertificateRequestReconciler) issuerFor(ctx context.Context, cr *cmapi.CertificateRequest) (issuerObject, error) {
	var iss issuerObject
	key := types.NamespacedName{Name: cr.Spec.IssuerRef.Name}
	if issuerKind(cr.Spec.IssuerRef) == kindClusterIssuer {
		iss = &v1alpha1.PCAClusterIssuer{}
	} else {
		iss, key.Namespace = &v1alpha1.PCAIssuer{}, cr.Namespace
	}
	if err := r.client.Get(ctx, key, iss); err != nil {
		return nil, client.IgnoreNotFound(err)
	}
	return iss, nil
}

// issuerName names the referenced issuer for messages, e.g.
// "PCAIssuer default/my-issuer".
func (r *CertificateRequestReconciler) issuerName(cr *cmapi.CertificateRequest) string {
	kind := issuerKind(cr.Spec.IssuerRef)
	if kind == kindClusterIssuer {
		return kind + " " + cr.Spec.IssuerRef.Name
	}
	return kind + " " + cr.Namespace + "/" + cr.Spec.IssuerRef.Name
}

// issuerLabel names the referenced issuer for metrics.
func issuerLabel(cr *cmapi.CertificateRequest) string {
	if issuerKind(cr.Spec.IssuerRef) == kindClusterIssuer {
		return metrics.IssuerLabel("", cr.Spec.IssuerRef.Name)
	}
	return metrics.IssuerLabel(cr.Namespace, cr.Spec.IssuerRef.Name)
}

// notReadyMessage tells why the issuer is not Ready, from its condition.
func notReadyMessage(name string, iss issuerObject) string {
	c := iss.GetStatus().ReadyCondition()
	if c == nil || c.ObservedGeneration != iss.GetGeneration() {
		return name + " has not been checked yet"
	}
	return fmt.Sprintf("%s is not Ready (%s): %s", name, c.Reason, c.Message)
}

// recordTransition emits an event when the Ready reason changes, so that
// retries do not spam events.
func (r *CertificateRequestReconciler) recordTransition(before, after *cmapi.CertificateRequest) {
	a := readyCondition(after)
	if r.recorder == nil || a == nil {
		return
	}
	if b := readyCondition(before); b != nil && b.Reason == a.Reason {
		return
	}
	eventType := corev1.EventTypeNormal
	if a.Reason == cmapi.CertificateRequestReasonFailed || a.Reason == cmapi.CertificateRequestReasonDenied {
		eventType = corev1.EventTypeWarning
	}
	r.recorder.Eventf(after, nil, eventType, a.Reason, "Sign", "%s", a.Message)
}

// issuerToRequests maps an issuer to the unfinished CertificateRequests
// that name it, so that an issuer turning Ready wakes them.
func (r *CertificateRequestReconciler) issuerToRequests(kind string) handler.MapFunc {
	return func(ctx context.Context, obj client.Object) []reconcile.Request {
		var list cmapi.CertificateRequestList
		opts := []client.ListOption{client.MatchingFields{issuerRefIndex: issuerRefKey(kind, obj.GetName())}}
		if kind == kindIssuer {
			opts = append(opts, client.InNamespace(obj.GetNamespace()))
		}
		if err := r.client.List(ctx, &list, opts...); err != nil {
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
		WithOptions(controller.Options{MaxConcurrentReconciles: r.opts.MaxConcurrentReconciles}).
		Complete(r)
}
