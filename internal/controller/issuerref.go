package controller

import (
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

// Kinds of issuerRef this controller serves.
const (
	kindIssuer        = "PCAIssuer"
	kindClusterIssuer = "PCAClusterIssuer"
)

// Field index names.
const (
	// credentialsRefIndex indexes issuers by spec.credentialsRef.name.
	credentialsRefIndex = "spec.credentialsRef.name"
	// issuerRefIndex indexes CertificateRequests by "<kind>/<name>" of
	// their issuerRef, for our group only.
	issuerRefIndex = "spec.issuerRef"
	// signerNameIndex indexes CertificateSigningRequests by
	// spec.signerName, for our signer names only.
	signerNameIndex = "spec.signerName"
)

// issuerKind returns the kind an issuerRef names when it points at this
// controller's group, "" otherwise. An empty kind means PCAIssuer, as an
// empty kind means Issuer in cert-manager.
func issuerKind(ref cmmeta.IssuerReference) string {
	if ref.Group != v1alpha1.GroupVersion.Group {
		return ""
	}
	switch ref.Kind {
	case "", kindIssuer:
		return kindIssuer
	case kindClusterIssuer:
		return kindClusterIssuer
	}
	return ""
}

// issuerRefOf returns the issuer a cert-manager issuerRef names, resolved
// in namespace (the namespace of the CertificateRequest or Certificate
// that holds it), when it is a PCAIssuer or a PCAClusterIssuer; false
// otherwise.
func issuerRefOf(ref cmmeta.IssuerReference, namespace string) (issuerRef, bool) {
	kind := issuerKind(ref)
	if kind == "" {
		return issuerRef{}, false
	}
	out := issuerRef{kind: kind, name: ref.Name, field: "spec.issuerRef"}
	if kind == kindIssuer {
		out.namespace = namespace
	}
	return out, true
}

// issuerRefKey is the issuerRefIndex value of a reference.
func issuerRefKey(kind, name string) string { return kind + "/" + name }

// requestsFor turns a list into reconcile requests.
func requestsFor(list client.ObjectList) []reconcile.Request {
	items, err := meta.ExtractList(list)
	if err != nil {
		return nil
	}
	reqs := make([]reconcile.Request, 0, len(items))
	for _, item := range items {
		if obj, ok := item.(client.Object); ok {
			reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(obj)})
		}
	}
	return reqs
}
