package controller

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/metrics"
)

// issuerObject is a PCAIssuer or a PCAClusterIssuer.
type issuerObject interface {
	client.Object
	v1alpha1.Issuer
}

// IssuerReconciler keeps the Ready condition of one issuer kind true to
// whether its store and template can be read with its Secret's credentials.
// One type serves both kinds; newIssuer says which.
type IssuerReconciler struct {
	client    client.Client
	clients   *clients
	templates *templateCache
	faults    *issuerFaults
	pins      *caPins
	slots     *issuerSlots
	bundles   *bundleChains
	recorder  recorder.EventRecorder
	opts      Options
	kind      string
	newIssuer func() issuerObject
	newList   func() client.ObjectList
}

// Reconcile checks one issuer and writes its Ready condition. A Ready issuer
// is checked again every IssuerHealthCheckInterval; a transient failure is
// retried with backoff; a failure the user must fix is checked again after
// IssuerRetryInterval or when the issuer or its Secret changes.
func (r *IssuerReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	iss := r.newIssuer()
	if err := r.client.Get(ctx, req.NamespacedName, iss); err != nil {
		if client.IgnoreNotFound(err) == nil {
			r.clients.Forget(req.NamespacedName)
			r.templates.Forget(req.NamespacedName)
			r.pins.forget(req.NamespacedName)
			metrics.ForgetIssuer(metrics.IssuerLabel(req.Namespace, req.Name))
			return ctrl.Result{}, nil // deleted: drop its client, templates, pins and series, done
		}
		return ctrl.Result{}, err // requeue with backoff
	}
	orig := iss.DeepCopyObject().(issuerObject)
	r.pins.renew(req.NamespacedName, iss.GetUID(), iss.GetGeneration())
	release, ok := r.slots.acquire(tenantOf(req.NamespacedName))
	if !ok {
		return ctrl.Result{RequeueAfter: slotWait()}, nil // its tenant's other checks hold the slots
	}
	defer release()
	checkCtx, cancel := context.WithTimeout(ctx, r.opts.ReconcileTimeout)
	health := checkIssuer(checkCtx, r.clients, iss)
	if health.template != nil {
		r.templates.Put(iss, health.template, time.Now())
		if health.casRead {
			r.pins.set(req.NamespacedName, health.template.SigningCertificateID, health.cas)
			r.observeCAs(iss, health.cas, time.Now())
			r.readBundleChains(checkCtx, iss, health.cas)
		}
	}
	cancel()
	label := metrics.IssuerLabel(iss.GetNamespace(), iss.GetName())
	if health.status == metav1.ConditionTrue {
		metrics.ObserveIssuerChecked(label, time.Now())
	}
	// Set on every check, not only on a change, so that a restarted
	// manager serves the gauge of every issuer it has checked.
	metrics.ObserveIssuerReady(label, health.status == metav1.ConditionTrue)
	changed := setIssuerReady(iss, health)
	if changed {
		if err := r.client.Status().Patch(ctx, iss, client.MergeFrom(orig)); err != nil {
			return ctrl.Result{}, client.IgnoreNotFound(err) // requeue with backoff
		}
		r.recordTransition(iss, health)
	}
	switch {
	case health.status == metav1.ConditionTrue:
		return ctrl.Result{RequeueAfter: r.opts.IssuerHealthCheckInterval}, nil // check again later
	case health.transient:
		return ctrl.Result{}, fmt.Errorf("%s: %s", health.reason, health.message) // requeue with backoff
	default:
		return ctrl.Result{RequeueAfter: r.opts.IssuerRetryInterval}, nil // wait for a fix
	}
}

// setIssuerReady writes the Ready condition for the issuer's generation and
// reports whether anything changed.
func setIssuerReady(iss issuerObject, h healthResult) bool {
	return meta.SetStatusCondition(&iss.GetStatus().Conditions, metav1.Condition{
		Type:               v1alpha1.ConditionReady,
		Status:             h.status,
		Reason:             h.reason,
		Message:            boundedMessage(h.message, maxConditionMessage),
		ObservedGeneration: iss.GetGeneration(),
	})
}

// recordTransition emits one event per change of the Ready condition.
func (r *IssuerReconciler) recordTransition(iss issuerObject, h healthResult) {
	if r.recorder == nil {
		return
	}
	eventType := corev1.EventTypeNormal
	if h.status != metav1.ConditionTrue {
		eventType = corev1.EventTypeWarning
	}
	r.recorder.Eventf(iss, nil, eventType, h.reason, "Check", "%s", h.message)
}

// secretToIssuers maps a Secret to the issuers of this kind that read it.
func (r *IssuerReconciler) secretToIssuers(ctx context.Context, obj client.Object) []reconcile.Request {
	list := r.newList()
	opts := []client.ListOption{client.MatchingFields{credentialsRefIndex: obj.GetName()}}
	if r.kind == kindIssuer {
		opts = append(opts, client.InNamespace(obj.GetNamespace()))
	} else if obj.GetNamespace() != r.opts.ClusterResourceNamespace {
		return nil
	}
	if err := r.client.List(ctx, list, opts...); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "listing issuers for Secret", "secret", client.ObjectKeyFromObject(obj))
		return nil
	}
	return requestsFor(list)
}

// SetupWithManager registers the reconciler with mgr, watching the issuer
// kind, the Secrets issuers read, and the issuer faults requests report.
func (r *IssuerReconciler) SetupWithManager(mgr ctrl.Manager) error {
	return ctrl.NewControllerManagedBy(mgr).
		Named(r.kind).
		// Only this reconciler writes an issuer's status, and its own
		// status writes must not trigger a check (each check would write
		// and trigger the next). Timers, spec and Secret changes, and
		// faults reported by requests drive the checks.
		For(r.newIssuer(), builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.secretToIssuers), builder.OnlyMetadata).
		WatchesRawSource(r.faults.source(r.kind)).
		// Several workers: one issuer's slow endpoint must not delay the
		// checks of the others.
		WithOptions(controller.Options{MaxConcurrentReconciles: r.opts.MaxConcurrentReconciles}).
		Complete(r)
}
