package controller

import (
	"context"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/metrics"
)

// request is the adapter of one request kind (cert-manager
// CertificateRequest, Kubernetes CertificateSigningRequest, ...): the
// pipeline reads and writes every kind through it, so that all kinds are
// signed by the same decisions. A new kind (e.g. Kubernetes
// PodCertificateRequest) needs one more adapter and a requestKind.
//
// The write methods change the in-memory object only; the pipeline writes
// the status with one patch.
type request interface {
	// object is the Kubernetes object, for patches and events.
	object() client.Object
	// issuerRef returns the issuer the request names, and false when it
	// names none of this controller's.
	issuerRef() (issuerRef, bool)
	// approved and denied report the approval conditions.
	approved() bool
	denied() bool
	// finished reports a request that needs no more work: issued, failed
	// or denied.
	finished() bool
	// spec returns what the request asks for; an error is a
	// *signer.PermanentError (e.g. a duration that does not parse).
	spec() (requestSpec, error)
	// authorize checks that the requester may use the issuer: nil, a
	// *signer.PermanentError, or an API error to retry.
	authorize(ctx context.Context) error
	// pendingShown reports whether the user was already told the request
	// is Pending, so that the Pending event is recorded once.
	pendingShown() bool

	// setIssued records the signed chain: certificate (leaf first, PEM)
	// and ca (the root, PEM).
	setIssued(certificate, ca []byte, message string, now time.Time)
	// setPending records that the request waits (for its issuer, or to
	// retry).
	setPending(message string, now time.Time)
	// setFailed records a permanent failure with its reason (one of the
	// request reasons of api/v1alpha1).
	setFailed(reason, message string, now time.Time)
	// setDenied records the approver's denial as final.
	setDenied(message string, now time.Time)
}

// requestSpec is what a request asks for, the same for every kind. The
// *Field members name where the value came from, for messages.
type requestSpec struct {
	csrPEM []byte
	// duration is the requested validity; zero means cert-manager's
	// default (90 days).
	duration      time.Duration
	durationField string
	isCA          bool
	isCAField     string
	usages        []cmapi.KeyUsage
}

// issuerRef names the issuer a request points at.
type issuerRef struct {
	// kind is kindIssuer or kindClusterIssuer.
	kind string
	// namespace is empty for a PCAClusterIssuer.
	namespace, name string
	// field is where the request names its issuer, for messages (e.g.
	// "spec.issuerRef").
	field string
	// exists is set once the issuer was found.
	exists bool
}

// String names the issuer for messages, e.g. "PCAIssuer default/web" or
// "PCAClusterIssuer prod".
func (r issuerRef) String() string {
	if r.kind == kindClusterIssuer {
		return r.kind + " " + r.name
	}
	return r.kind + " " + r.namespace + "/" + r.name
}

// key is the issuer's object key.
func (r issuerRef) key() types.NamespacedName {
	return types.NamespacedName{Namespace: r.namespace, Name: r.name}
}

// newObject returns an empty issuer of the referenced kind.
func (r issuerRef) newObject() issuerObject {
	if r.kind == kindClusterIssuer {
		return &v1alpha1.PCAClusterIssuer{}
	}
	return &v1alpha1.PCAIssuer{}
}

// label names the issuer in metrics; UnknownIssuer until it was found.
func (r issuerRef) label() string {
	if !r.exists {
		return metrics.UnknownIssuer
	}
	return metrics.IssuerLabel(r.namespace, r.name)
}

// requestKind is what the pipeline needs of a request kind besides its
// adapter: an empty object to read into, and the adapter of an object.
type requestKind interface {
	newObject() client.Object
	adapt(obj client.Object) request
	// gone drops what the kind keeps in memory about a deleted request.
	gone(key types.NamespacedName)
}
