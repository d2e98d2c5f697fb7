package controller

import (
	"context"
	"strings"

	authzv1 "k8s.io/api/authorization/v1"
	certificatesv1 "k8s.io/api/certificates/v1"
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

// Signer name prefixes of Kubernetes CertificateSigningRequests this
// controller signs: pcaclusterissuers.nhnpca.issuer.dev/<name> and
// pcaissuers.nhnpca.issuer.dev/<namespace>.<name>, as cert-manager names
// its own signers.
const (
	SignerPrefixClusterIssuer = "pcaclusterissuers.nhnpca.issuer.dev/"
	SignerPrefixIssuer        = "pcaissuers.nhnpca.issuer.dev/"
)

// CertificateSigningRequestReconciler signs approved Kubernetes
// CertificateSigningRequests whose signerName names one of our issuers,
// through the request pipeline.
type CertificateSigningRequestReconciler struct {
	pipeline *pipeline
	pending  *pendingSet
}

// Reconcile signs one approved CertificateSigningRequest, or sets its
// Failed condition when it can never be signed. A permanent failure returns
// a reconcile.TerminalError: the request is not retried.
func (r *CertificateSigningRequestReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	return r.pipeline.reconcile(ctx, r, req.NamespacedName)
}

func (r *CertificateSigningRequestReconciler) newObject() client.Object {
	return &certificatesv1.CertificateSigningRequest{}
}

func (r *CertificateSigningRequestReconciler) adapt(obj client.Object) request {
	return certificateSigningRequest{csr: obj.(*certificatesv1.CertificateSigningRequest), c: r.pipeline.client, pending: r.pending}
}

func (r *CertificateSigningRequestReconciler) gone(key types.NamespacedName) {
	r.pending.forget(key.Name)
}

// parseSignerName returns the issuer a signer name points at, or false
// when it is not ours.
func parseSignerName(signerName string) (issuerRef, bool) {
	if name, ok := strings.CutPrefix(signerName, SignerPrefixClusterIssuer); ok && name != "" {
		return issuerRef{kind: kindClusterIssuer, name: name, field: "spec.signerName"}, true
	}
	if rest, ok := strings.CutPrefix(signerName, SignerPrefixIssuer); ok {
		ns, name, found := strings.Cut(rest, ".")
		if found && ns != "" && name != "" {
			return issuerRef{kind: kindIssuer, namespace: ns, name: name, field: "spec.signerName"}, true
		}
	}
	return issuerRef{}, false
}

// signerNameOf returns the signer name of an issuer, the inverse of
// parseSignerName.
func signerNameOf(kind string, iss client.Object) string {
	if kind == kindClusterIssuer {
		return SignerPrefixClusterIssuer + iss.GetName()
	}
	return SignerPrefixIssuer + iss.GetNamespace() + "." + iss.GetName()
}

// mayReference asks the API server whether the CSR's requester may
// reference the namespaced signer, as cert-manager does for its issuers.
func mayReference(ctx context.Context, c client.Client, csr *certificatesv1.CertificateSigningRequest, ref issuerRef) (bool, error) {
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
		if err := c.Create(ctx, sar); err != nil {
			return false, err
		}
		if sar.Status.Allowed {
			return true, nil
		}
	}
	return false, nil
}

// issuerToCSRs maps an issuer to the unfinished CSRs that name it (field
// index on spec.signerName), so that an issuer turning Ready wakes them.
func (r *CertificateSigningRequestReconciler) issuerToCSRs(kind string) handler.MapFunc {
	return func(ctx context.Context, obj client.Object) []reconcile.Request {
		var list certificatesv1.CertificateSigningRequestList
		if err := r.pipeline.client.List(ctx, &list, client.MatchingFields{signerNameIndex: signerNameOf(kind, obj)}); err != nil {
			ctrl.LoggerFrom(ctx).Error(err, "listing CertificateSigningRequests for issuer", "issuer", client.ObjectKeyFromObject(obj))
			return nil
		}
		var reqs []reconcile.Request
		for i := range list.Items {
			if !r.adapt(&list.Items[i]).finished() {
				reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&list.Items[i])})
			}
		}
		return reqs
	}
}

// SetupWithManager registers the reconciler: CSRs naming our signers, and
// both issuer kinds to wake waiting CSRs.
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
		Watches(&v1alpha1.PCAIssuer{}, handler.EnqueueRequestsFromMapFunc(r.issuerToCSRs(kindIssuer))).
		Watches(&v1alpha1.PCAClusterIssuer{}, handler.EnqueueRequestsFromMapFunc(r.issuerToCSRs(kindClusterIssuer))).
		WithOptions(controller.Options{MaxConcurrentReconciles: r.pipeline.opts.MaxConcurrentReconciles}).
		Complete(r)
}
