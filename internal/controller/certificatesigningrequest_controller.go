package controller

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	authzv1 "k8s.io/api/authorization/v1"
	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/metrics"
	"github.com/nhnpca/pca-issuer/internal/pca"
	"github.com/nhnpca/pca-issuer/internal/signer"
)

// Signer name prefixes of Kubernetes CertificateSigningRequests this
// controller signs: pcaclusterissuers.nhnpca.issuer.dev/<name> and
// pcaissuers.nhnpca.issuer.dev/<namespace>.<name>, as cert-manager names
// its own signers.
const (
	SignerPrefixClusterIssuer = "pcaclusterissuers.nhnpca.issuer.dev/"
	SignerPrefixIssuer        = "pcaissuers.nhnpca.issuer.dev/"
	// AnnotationRequestIsCA is cert-manager's annotation asking for a CA
	// certificate through a CertificateSigningRequest; PCA templates issue
	// leaf certificates only.
	AnnotationRequestIsCA = "experimental.cert-manager.io/request-is-ca"
)

// CertificateSigningRequestReconciler signs approved Kubernetes
// CertificateSigningRequests whose signerName names one of our issuers.
type CertificateSigningRequestReconciler struct {
	signing
}

// signerRef is a parsed signer name.
type signerRef struct {
	kind, namespace, name string
}

// parseSignerName returns the issuer a signer name points at, or false
// when it is not ours.
func parseSignerName(signerName string) (signerRef, bool) {
	if name, ok := strings.CutPrefix(signerName, SignerPrefixClusterIssuer); ok && name != "" {
		return signerRef{kind: kindClusterIssuer, name: name}, true
	}
	if rest, ok := strings.CutPrefix(signerName, SignerPrefixIssuer); ok {
		ns, name, found := strings.Cut(rest, ".")
		if found && ns != "" && name != "" {
			return signerRef{kind: kindIssuer, namespace: ns, name: name}, true
		}
	}
	return signerRef{}, false
}

// csrFinished reports a CSR that needs no more work: signed, failed or
// denied.
func csrFinished(csr *certificatesv1.CertificateSigningRequest) bool {
	if len(csr.Status.Certificate) > 0 {
		return true
	}
	for _, c := range csr.Status.Conditions {
		if (c.Type == certificatesv1.CertificateFailed || c.Type == certificatesv1.CertificateDenied) && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

func csrApproved(csr *certificatesv1.CertificateSigningRequest) bool {
	for _, c := range csr.Status.Conditions {
		if c.Type == certificatesv1.CertificateApproved && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

// Reconcile signs one approved CertificateSigningRequest, or sets its
// Failed condition when it can never be signed.
func (r *CertificateSigningRequestReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var csr certificatesv1.CertificateSigningRequest
	if err := r.client.Get(ctx, req.NamespacedName, &csr); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err) // gone: done
	}
	ref, ours := parseSignerName(csr.Spec.SignerName)
	if !ours || csrFinished(&csr) || !csrApproved(&csr) {
		return ctrl.Result{}, nil // not ours, done, or waiting for approval
	}
	if err := r.apiReader.Get(ctx, req.NamespacedName, &csr); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err) // requeue with backoff
	}
	if csrFinished(&csr) {
		return ctrl.Result{}, nil // the cache lagged: already done
	}
	orig := csr.DeepCopy()
	result, recErr := r.reconcile(ctx, &csr, ref)
	if !equality.Semantic.DeepEqual(orig.Status, csr.Status) {
		if err := r.client.Status().Patch(ctx, &csr, client.MergeFrom(orig)); err != nil {
			return ctrl.Result{}, client.IgnoreNotFound(err) // requeue with backoff
		}
	}
	return result, recErr
}

func (r *CertificateSigningRequestReconciler) reconcile(ctx context.Context, csr *certificatesv1.CertificateSigningRequest, ref signerRef) (ctrl.Result, error) {
	now := r.clock.Now()
	if ref.kind == kindIssuer {
		allowed, err := r.mayReference(ctx, csr, ref)
		if err != nil {
			return ctrl.Result{}, err // requeue with backoff
		}
		if !allowed {
			r.fail(csr, "SignerNotReferenceable", fmt.Sprintf(
				"%s may not reference signer %s: grant it the verb reference on resource signers (group %s) named %s in namespace %s",
				csr.Spec.Username, csr.Spec.SignerName, v1alpha1.GroupVersion.Group, ref.name, ref.namespace), now)
			return ctrl.Result{}, nil // final
		}
	}
	iss, err := r.issuer(ctx, ref)
	if err != nil {
		return ctrl.Result{}, err // requeue with backoff
	}
	if iss == nil || !iss.GetStatus().IsReady(iss.GetGeneration()) {
		return ctrl.Result{RequeueAfter: r.opts.PendingRetryInterval}, nil // wait for the issuer
	}
	done := metrics.InFlight()
	defer done()
	return r.sign(ctx, csr, iss, now)
}

// sign signs through the issuer and turns the outcome into status: the
// chain, a Failed condition, or a requeue.
func (r *CertificateSigningRequestReconciler) sign(ctx context.Context, csr *certificatesv1.CertificateSigningRequest, iss issuerObject, now time.Time) (ctrl.Result, error) {
	label := metrics.IssuerLabel(iss.GetNamespace(), iss.GetName())
	pc, err := r.clients.For(ctx, iss)
	if err != nil {
		return ctrl.Result{RequeueAfter: r.opts.PendingRetryInterval}, nil // the issuer's check reports it
	}
	res, err := r.issue(ctx, csr, iss, pc, now)
	if err == nil {
		csr.Status.Certificate = res.certificate
		metrics.ObserveIssuance(label, metrics.ResultIssued)
		return ctrl.Result{}, nil // apply patch, done
	}
	var issuerErr *signer.IssuerError
	switch {
	case errors.Is(err, errConflict):
		return ctrl.Result{RequeueAfter: conflictRetry}, nil // changed under us: read again
	case signer.IsPermanent(err):
		r.fail(csr, "SigningFailed", err.Error(), now)
		metrics.ObserveIssuance(label, metrics.ResultFailed)
		return ctrl.Result{}, nil // final
	case errors.As(err, &issuerErr):
		return ctrl.Result{RequeueAfter: r.opts.PendingRetryInterval}, markIssuerNotReady(ctx, r.client, iss, issuerErr)
	case now.Sub(csr.CreationTimestamp.Time) > r.opts.MaxRetryDuration:
		r.fail(csr, ReasonRetryWindowPassed, fmt.Sprintf("gave up after %s of retries: %v", r.opts.MaxRetryDuration, err), now)
		metrics.ObserveIssuance(label, metrics.ResultFailed)
		return ctrl.Result{}, nil // final
	default:
		metrics.ObserveIssuance(label, metrics.ResultRetry)
		return ctrl.Result{}, err // requeue with backoff
	}
}

// issue selects the template (by annotation, else by the CSR's key) and
// signs the CSR exactly once.
func (r *CertificateSigningRequestReconciler) issue(ctx context.Context, csr *certificatesv1.CertificateSigningRequest, iss issuerObject, pc *pca.Client, now time.Time) (*signResult, error) {
	spec := iss.GetSpec()
	tmpl, err := r.selectTemplate(ctx, pc, iss, csr.Annotations, csr.Spec.Request, issuerDisplayName(iss), now)
	if err != nil {
		return nil, err
	}
	return issue(ctx, pc, spec.CAStoreID, tmpl, signRequest{
		csrPEM: csr.Spec.Request, duration: csrDuration(csr), isCA: csr.Annotations[AnnotationRequestIsCA] == "true",
		usages: csrUsages(csr), templateID: tmpl.ID, started: markerTime(csr.Annotations),
		markInFlight: func(ctx context.Context) error { return markInFlight(ctx, r.client, csr, now) },
	})
}

// mayReference asks the API server whether the CSR's requester may
// reference the namespaced signer, as cert-manager does for its issuers.
func (r *CertificateSigningRequestReconciler) mayReference(ctx context.Context, csr *certificatesv1.CertificateSigningRequest, ref signerRef) (bool, error) {
	extra := map[string]authzv1.ExtraValue{}
	for k, v := range csr.Spec.Extra {
		extra[k] = authzv1.ExtraValue(v)
	}
	for _, name := range []string{ref.name, "*"} {
		sar := &authzv1.SubjectAccessReview{Spec: authzv1.SubjectAccessReviewSpec{
			User: csr.Spec.Username, Groups: csr.Spec.Groups, UID: csr.Spec.UID, Extra: extra,
			ResourceAttributes: &authzv1.ResourceAttributes{
				Group: v1alpha1.GroupVersion.Group, Resource: "signers", Verb: "reference", Namespace: ref.namespace, Name: name,
			},
		}}
		if err := r.client.Create(ctx, sar); err != nil {
			return false, err
		}
		if sar.Status.Allowed {
			return true, nil
		}
	}
	return false, nil
}

func (r *CertificateSigningRequestReconciler) issuer(ctx context.Context, ref signerRef) (issuerObject, error) {
	var iss issuerObject = &v1alpha1.PCAClusterIssuer{}
	if ref.kind == kindIssuer {
		iss = &v1alpha1.PCAIssuer{}
	}
	if err := r.client.Get(ctx, types.NamespacedName{Namespace: ref.namespace, Name: ref.name}, iss); err != nil {
		return nil, client.IgnoreNotFound(err)
	}
	return iss, nil
}

// fail sets the Failed condition, which ends the CSR.
func (r *CertificateSigningRequestReconciler) fail(csr *certificatesv1.CertificateSigningRequest, reason, message string, now time.Time) {
	t := metav1.NewTime(now)
	csr.Status.Conditions = append(csr.Status.Conditions, certificatesv1.CertificateSigningRequestCondition{
		Type: certificatesv1.CertificateFailed, Status: corev1.ConditionTrue, Reason: reason, Message: message,
		LastUpdateTime: t, LastTransitionTime: t,
	})
	if r.recorder != nil {
		r.recorder.Eventf(csr, nil, corev1.EventTypeWarning, reason, "Sign", "%s", message)
	}
}

// csrDuration is spec.expirationSeconds, or zero (cert-manager's default).
func csrDuration(csr *certificatesv1.CertificateSigningRequest) time.Duration {
	if csr.Spec.ExpirationSeconds == nil {
		return 0
	}
	return time.Duration(*csr.Spec.ExpirationSeconds) * time.Second
}

// csrUsages converts Kubernetes usages, which share cert-manager's strings.
func csrUsages(csr *certificatesv1.CertificateSigningRequest) []cmapi.KeyUsage {
	out := make([]cmapi.KeyUsage, len(csr.Spec.Usages))
	for i, u := range csr.Spec.Usages {
		out[i] = cmapi.KeyUsage(u)
	}
	return out
}

// SetupWithManager registers the reconciler for CSRs naming our signers.
func (r *CertificateSigningRequestReconciler) SetupWithManager(mgr ctrl.Manager) error {
	ours := predicate.NewPredicateFuncs(func(obj client.Object) bool {
		csr, ok := obj.(*certificatesv1.CertificateSigningRequest)
		if !ok {
			return false
		}
		_, mine := parseSignerName(csr.Spec.SignerName)
		return mine
	})
	return ctrl.NewControllerManagedBy(mgr).
		Named("certificatesigningrequest").
		For(&certificatesv1.CertificateSigningRequest{}, builder.WithPredicates(ours)).
		WithOptions(controller.Options{MaxConcurrentReconciles: r.opts.MaxConcurrentReconciles}).
		Complete(r)
}
