package controller

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

// maxBundleCertificates bounds a published bundle: a few chains of a
// root and intermediates each, with the previous ones of a rotation, are
// far fewer.
const maxBundleCertificates = 64

// TrustBundleReconciler publishes the trust bundle of each issuer with
// spec.trustBundle (docs/trust-bundle.md): a ConfigMap and, where served,
// a ClusterTrustBundle holding the CA certificates its templates sign
// under, and the previous ones the retention rule keeps. It makes no PCA
// calls: the issuer check reads the chains (bundleChains). A request's key
// is the issuer's: namespace and name for a PCAIssuer, name alone for a
// PCAClusterIssuer.
type TrustBundleReconciler struct {
	client    client.Client
	apiReader client.Reader
	chains    *bundleChains
	ctb       *ctbDiscovery
	// inUse keeps what each Certificate Secret's chain runs through, so
	// that a pass reads only the Secrets that changed.
	inUse    *inUseMemo
	recorder recorder.EventRecorder
	clock    clock.PassiveClock
	opts     Options

	// swept records, per issuer, the UID and generation whose stale
	// ConfigMaps were deleted, so that the sweep (a list call) runs once
	// per spec.
	mu    sync.Mutex
	swept map[types.NamespacedName]string
}

// Reconcile publishes one issuer's trust bundle, or deletes what it
// published when the issuer or its spec.trustBundle is gone.
func (r *TrustBundleReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	kind, iss := kindIssuer, issuerObject(&v1alpha1.PCAIssuer{})
	if req.Namespace == "" {
		kind, iss = kindClusterIssuer, &v1alpha1.PCAClusterIssuer{}
	}
	ns := r.bundleNamespace(req.NamespacedName)
	if err := r.client.Get(ctx, req.NamespacedName, iss); err != nil {
		if client.IgnoreNotFound(err) != nil {
			return ctrl.Result{}, err
		}
		r.chains.forget(req.NamespacedName)
		r.inUse.forget(req.NamespacedName)
		r.forgetSweep(req.NamespacedName)
		return ctrl.Result{}, r.unpublish(ctx, kind, req.NamespacedName, ns, "", true)
	}
	spec := iss.GetSpec().TrustBundle
	keep := ""
	if spec != nil && spec.ConfigMap != nil {
		keep = spec.ConfigMap.Name
	}
	if r.sweepDue(iss) {
		if err := r.unpublish(ctx, kind, req.NamespacedName, ns, keep, spec == nil); err != nil {
			return ctrl.Result{}, err
		}
		r.markSwept(iss)
	}
	if spec == nil {
		return ctrl.Result{}, nil
	}
	entry, ok := r.chains.get(iss)
	if !ok || len(entry.chains) == 0 {
		return ctrl.Result{}, nil // the issuer's check hands the chains over
	}
	targets := r.targets(ctx, iss, kind, ns)
	if len(targets) == 0 {
		return ctrl.Result{}, nil
	}
	return r.publish(ctx, iss, kind, entry, targets)
}

// targets are the objects iss's bundle goes to.
func (r *TrustBundleReconciler) targets(ctx context.Context, iss issuerObject, kind, ns string) []bundleTarget {
	var out []bundleTarget
	if cm := iss.GetSpec().TrustBundle.ConfigMap; cm != nil {
		key := cm.Key
		if key == "" {
			key = v1alpha1.DefaultTrustBundleKey
		}
		out = append(out, &configMapTarget{c: r.client, apiReader: r.apiReader, iss: iss, kind: kind,
			key: types.NamespacedName{Namespace: ns, Name: cm.Name}, dataKey: key})
	}
	if v := r.ctb.served(ctx, r.clock.Now()); v != "" {
		t := &clusterTrustBundleTarget{c: r.client, apiReader: r.apiReader, iss: iss, kind: kind, version: v, signerName: signerNameOf(kind, iss)}
		if problem := t.nameProblem(); problem != "" {
			r.event(iss, corev1.EventTypeWarning, v1alpha1.ReasonTrustBundleFailed, problem)
		} else {
			out = append(out, t)
		}
	}
	return out
}

// publish reads what the targets hold, decides the bundle and writes it
// where it differs. A target that is not the issuer's is reported and
// left alone; the others are still written.
func (r *TrustBundleReconciler) publish(ctx context.Context, iss issuerObject, kind string, entry chainsEntry, targets []bundleTarget) (ctrl.Result, error) {
	now := r.clock.Now()
	plan := bundlePlan{current: entry.chains, complete: entry.complete, retired: map[string]time.Time{}, now: now}
	if d := iss.GetSpec().TrustBundle.RetainPreviousRootsFor; d != nil && d.Duration > 0 {
		plan.retainFor = d.Duration
	}
	var writable []bundleTarget
	var errs []error
	for _, t := range targets {
		held, err := t.load(ctx)
		var conflict *bundleConflict
		switch {
		case errors.As(err, &conflict):
			r.event(iss, corev1.EventTypeWarning, v1alpha1.ReasonTrustBundleConflict, conflict.Error())
			continue
		case err != nil:
			// Retried with backoff; told, since a read the manager may
			// not make (RBAC) does not get better by itself.
			r.event(iss, corev1.EventTypeWarning, v1alpha1.ReasonTrustBundleFailed, fmt.Sprintf("%v; the bundle is not written until it can be read, retrying", err))
			errs = append(errs, err)
			continue
		case held != nil:
			plan.published = appendNew(plan.published, held.certs)
			mergeRetired(plan.retired, held.retired)
		}
		writable = append(writable, t)
	}
	if len(errs) > 0 {
		// A target that could not be read may hold previous CA
		// certificates: deciding without it could drop one. Retried.
		return ctrl.Result{}, errors.Join(errs...)
	}
	key := issuerKey(iss)
	outcome := planBundle(plan, func(known []*x509.Certificate) (map[string]bool, error) {
		return r.inUse.usedCAs(ctx, r.client, r.apiReader, key, kind, known, now)
	})
	if outcome.usageErr != nil {
		ctrl.LoggerFrom(ctx).Info("the certificates in use could not be read: every previous CA certificate stays in the trust bundle", "error", outcome.usageErr.Error())
	}
	if len(outcome.certs) == 0 {
		return ctrl.Result{}, nil // never an empty bundle
	}
	if len(outcome.certs) > maxBundleCertificates {
		// The chains come from the PCA, which is not trusted to be sane.
		r.event(iss, corev1.EventTypeWarning, v1alpha1.ReasonTrustBundleFailed, fmt.Sprintf(
			"the bundle would hold %d CA certificates, more than %d: not written; check the chains of the issuer's templates in the PCA",
			len(outcome.certs), maxBundleCertificates))
		return ctrl.Result{RequeueAfter: r.opts.IssuerHealthCheckInterval}, nil
	}
	pemBundle := encodeBundle(outcome.certs)
	var written []string
	var related client.Object
	for _, t := range writable {
		obj, err := t.store(ctx, pemBundle, outcome.retired)
		if err != nil {
			r.event(iss, corev1.EventTypeWarning, v1alpha1.ReasonTrustBundleFailed, fmt.Sprintf("%v; retrying", err))
			errs = append(errs, err)
			continue
		}
		if obj != nil {
			written = append(written, t.String())
			if related == nil {
				related = obj
			}
		}
	}
	if related != nil && (len(outcome.added) > 0 || len(outcome.removed) > 0) {
		// The object written is the event's related object: its
		// resourceVersion tells the changes apart, which the events API
		// would otherwise merge into one series keeping the first note.
		r.relatedEvent(iss, related, corev1.EventTypeNormal, v1alpha1.ReasonTrustBundleUpdated, bundleChangeMessage(written, outcome))
	}
	if len(errs) > 0 {
		return ctrl.Result{}, errors.Join(errs...)
	}
	result := ctrl.Result{RequeueAfter: outcome.recheckAfter}
	if outcome.usageErr != nil {
		result.RequeueAfter = r.opts.IssuerHealthCheckInterval
	}
	return result, nil
}

// unpublish deletes what the issuer key published: its ConfigMaps other
// than keep in ns, and, with all, its ClusterTrustBundle.
func (r *TrustBundleReconciler) unpublish(ctx context.Context, kind string, key types.NamespacedName, ns, keep string, all bool) error {
	if err := deleteStaleConfigMaps(ctx, r.client, r.apiReader, ns, kind, key.Name, keep); err != nil {
		return err
	}
	if !all {
		return nil
	}
	if v := r.ctb.served(ctx, r.clock.Now()); v != "" {
		return deleteClusterTrustBundle(ctx, r.client, r.apiReader, v, kind, issuerStub(key.Namespace, key.Name))
	}
	return nil
}

// bundleNamespace is where an issuer's ConfigMap is: its own namespace,
// or the cluster resource namespace for a PCAClusterIssuer.
func (r *TrustBundleReconciler) bundleNamespace(key types.NamespacedName) string {
	if key.Namespace == "" {
		return r.opts.ClusterResourceNamespace
	}
	return key.Namespace
}

func (r *TrustBundleReconciler) sweepDue(iss issuerObject) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.swept[issuerKey(iss)] != chainsStamp(iss)
}

func (r *TrustBundleReconciler) markSwept(iss issuerObject) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.swept[issuerKey(iss)] = chainsStamp(iss)
}

func (r *TrustBundleReconciler) forgetSweep(key types.NamespacedName) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.swept, key)
}

func (r *TrustBundleReconciler) event(iss issuerObject, eventType, reason, message string) {
	r.relatedEvent(iss, nil, eventType, reason, message)
}

// relatedEvent records an event on iss; related, when not nil, is the
// object written.
func (r *TrustBundleReconciler) relatedEvent(iss issuerObject, related client.Object, eventType, reason, message string) {
	if r.recorder == nil {
		return
	}
	r.recorder.Eventf(iss, related, eventType, reason, "PublishTrustBundle", "%s", message)
}

// appendNew appends the certificates of add that certs lacks.
func appendNew(certs, add []*x509.Certificate) []*x509.Certificate {
	for _, c := range add {
		if !containsFingerprint(certs, caFingerprint(c)) {
			certs = append(certs, c)
		}
	}
	return certs
}

// bundleChangeMessage names the CA certificates a bundle gained and lost,
// by subject and notAfter, and where it was written.
func bundleChangeMessage(written []string, o bundleOutcome) string {
	var parts []string
	for _, c := range o.added {
		parts = append(parts, "added "+describeCA(c))
	}
	for _, c := range o.removed {
		parts = append(parts, "removed "+describeCA(c))
	}
	return fmt.Sprintf("%s: %s; the bundle holds %d CA certificates", strings.Join(written, " and "), strings.Join(parts, "; "), len(o.certs))
}

// describeCA names a CA certificate: root or intermediate, subject and
// notAfter.
func describeCA(c *x509.Certificate) string {
	what := "intermediate"
	if c.CheckSignatureFrom(c) == nil {
		what = "root"
	}
	return fmt.Sprintf("%s %q (notAfter %s)", what, c.Subject.String(), c.NotAfter.UTC().Format(time.RFC3339))
}

// certificateToIssuer maps a cert-manager Certificate to the issuer its
// issuerRef names, when that is one of ours.
func certificateToIssuer(_ context.Context, obj client.Object) []reconcile.Request {
	crt, ok := obj.(*cmapi.Certificate)
	if !ok {
		return nil
	}
	if ref, ours := certificateIssuerRef(crt); ours {
		return []reconcile.Request{{NamespacedName: ref.key()}}
	}
	return nil
}

// certificateServed passes the Certificate changes that can change which
// certificate is in use: a new certificate in its Secret (cert-manager
// moves notBefore, notAfter and the revision with it), or its deletion.
var certificateServed = predicate.Funcs{
	CreateFunc:  func(event.CreateEvent) bool { return true },
	DeleteFunc:  func(event.DeleteEvent) bool { return true },
	GenericFunc: func(event.GenericEvent) bool { return false },
	UpdateFunc: func(e event.UpdateEvent) bool {
		o, ok1 := e.ObjectOld.(*cmapi.Certificate)
		n, ok2 := e.ObjectNew.(*cmapi.Certificate)
		if !ok1 || !ok2 {
			return false
		}
		return !o.Status.NotAfter.Equal(n.Status.NotAfter) || !o.Status.NotBefore.Equal(n.Status.NotBefore) ||
			!equalRevision(o.Status.Revision, n.Status.Revision) || o.Spec.SecretName != n.Spec.SecretName ||
			o.Spec.IssuerRef != n.Spec.IssuerRef
	},
}

func equalRevision(a, b *int) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// SetupWithManager registers the reconciler: issuer checks hand it chains;
// issuers' spec changes and deletions, and changes of Certificates that
// name an issuer of ours, wake it.
func (r *TrustBundleReconciler) SetupWithManager(mgr ctrl.Manager) error {
	// Creations (at start), spec changes and deletions; not status writes.
	deletedOrSpec := predicate.GenerationChangedPredicate{}
	return ctrl.NewControllerManagedBy(mgr).
		Named("trustbundle").
		Watches(&v1alpha1.PCAIssuer{}, &handler.EnqueueRequestForObject{}, builder.WithPredicates(deletedOrSpec)).
		Watches(&v1alpha1.PCAClusterIssuer{}, &handler.EnqueueRequestForObject{}, builder.WithPredicates(deletedOrSpec)).
		Watches(&cmapi.Certificate{}, handler.EnqueueRequestsFromMapFunc(certificateToIssuer), builder.WithPredicates(certificateServed)).
		WatchesRawSource(r.chains.source()).
		WithOptions(controller.Options{MaxConcurrentReconciles: 2}).
		Complete(r)
}

// setupTrustBundles registers the trust bundle reconciler, fed by the
// issuer checks through chains.
func setupTrustBundles(mgr ctrl.Manager, chains *bundleChains, events recorder.EventRecorder, opts Options) error {
	dc, err := discovery.NewDiscoveryClientForConfig(mgr.GetConfig())
	if err != nil {
		return fmt.Errorf("setting up the trust bundle controller: %w", err)
	}
	r := &TrustBundleReconciler{
		client: mgr.GetClient(), apiReader: mgr.GetAPIReader(), chains: chains, recorder: events, inUse: newInUseMemo(),
		ctb:   &ctbDiscovery{client: dc, interval: opts.IssuerHealthCheckInterval},
		clock: clock.RealClock{}, opts: opts, swept: map[types.NamespacedName]string{},
	}
	if err := r.SetupWithManager(mgr); err != nil {
		return fmt.Errorf("setting up the trust bundle controller: %w", err)
	}
	// The sweep needs leader election (the Runnable default), as the
	// controller it feeds does.
	if err := mgr.Add(&orphanSweep{apiReader: r.apiReader, ctb: r.ctb, chains: chains, clock: r.clock}); err != nil {
		return fmt.Errorf("setting up the trust bundle clean-up: %w", err)
	}
	return nil
}
