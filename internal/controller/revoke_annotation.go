package controller

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// RevokeAnnotationReconciler revokes, through the PCA, the certificate in
// the Secret of a cert-manager Certificate annotated
// nhnpca.issuer.dev/revoke (v1alpha1.AnnotationRevoke), renews the
// Certificate, records the revocation in a Normal event and removes the
// annotation (docs/revocation.md, "Revoking from the cluster"):
//
//  1. the reason is checked (parseRevocationReason); a bad one is refused;
//  2. the serial of the Secret's certificate is pinned on the Certificate
//     (AnnotationRevokeSerial), once the CertificateRequest of this
//     Certificate that recorded it is found; none found means pca-issuer
//     did not issue it, and it is refused;
//  3. the revoker revokes it at most once;
//  4. the Certificate is renewed as cmctl renew does, unless its Secret
//     holds another certificate already;
//  5. the annotations are removed and the event recorded.
//
// Each step can be repeated after a crash. A refusal is a Warning event
// and removes the annotation; a failure is a Warning event and a retry
// with backoff.
type RevokeAnnotationReconciler struct {
	client    client.Client
	apiReader client.Reader
	revoker   *revoker
	recorder  recorder.EventRecorder
}

// Reconcile handles one Certificate's revoke annotation.
func (r *RevokeAnnotationReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	crt := &cmapi.Certificate{}
	if err := r.client.Get(ctx, req.NamespacedName, crt); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err) // gone: done; else requeue with backoff
	}
	value, asked := crt.Annotations[v1alpha1.AnnotationRevoke]
	pin, pinned := crt.Annotations[AnnotationRevokeSerial]
	if issuerKind(crt.Spec.IssuerRef) == "" || (!asked && !pinned) {
		return ctrl.Result{}, nil // not ours, or nothing asked
	}
	if !asked {
		return r.finish(ctx, crt) // a pin left behind
	}
	reason, err := parseRevocationReason(value)
	if err != nil {
		return r.refuse(ctx, crt, fmt.Sprintf("%s=%q: %v", v1alpha1.AnnotationRevoke, boundedMessage(value, 64), err))
	}
	leaf, leafErr := currentLeaf(ctx, r.apiReader, crt)
	var serial *big.Int
	switch {
	case pinned:
		s, ok := wire.ParseSerial(pin)
		if !ok {
			return r.refuse(ctx, crt, fmt.Sprintf("%s=%q is not a serial number: remove it, and annotate again", AnnotationRevokeSerial, boundedMessage(pin, 64)))
		}
		serial = s
	case errors.Is(leafErr, errNoLeaf):
		return r.refuse(ctx, crt, fmt.Sprintf("there is no certificate to revoke: %v", leafErr))
	case leafErr != nil && !unreadable(leafErr):
		return r.failed(crt, "", leafErr)
	case leafErr != nil:
		return r.refuse(ctx, crt, fmt.Sprintf("the certificate in the Secret cannot be read: %v", leafErr))
	default:
		serial = leaf.SerialNumber
	}
	cr, err := requestRecording(ctx, r.client, crt, serial)
	if err != nil {
		return r.failed(crt, wire.FormatSerial(serial), err)
	}
	if cr == nil {
		return r.refuse(ctx, crt, fmt.Sprintf("no CertificateRequest of this Certificate records serial %s (annotation %s): pca-issuer did not issue that certificate, so it does not revoke it",
			wire.FormatSerial(serial), v1alpha1.AnnotationSerialNumber))
	}
	if !pinned {
		p := metadataPatch{annotations: map[string]*string{AnnotationRevokeSerial: ptrTo(wire.FormatSerial(serial))}, resourceVersion: crt.ResourceVersion}
		if err := p.apply(ctx, r.client, crt); err != nil {
			return r.retry(ctx, crt, wire.FormatSerial(serial), err)
		}
	}
	out, err := r.revoker.revoke(ctx, cr)
	if err != nil {
		return r.retry(ctx, crt, wire.FormatSerial(serial), err)
	}
	message := revokedMessage(out, reason)
	next := "the Secret holds a newer certificate already"
	if leafErr == nil && leaf.SerialNumber.Cmp(serial) == 0 {
		next = "renewing the Certificate"
		// On the Certificate as it is now: the cache may lag behind the pin.
		if err := r.apiReader.Get(ctx, client.ObjectKeyFromObject(crt), crt); err != nil {
			return ctrl.Result{}, client.IgnoreNotFound(err) // requeue with backoff
		}
		if err := renewCertificate(ctx, r.client, crt, v1alpha1.ReasonRevokeDone, message); err != nil {
			if apierrors.IsConflict(err) {
				return ctrl.Result{RequeueAfter: conflictRetry}, nil // revoked already: the next attempt only renews
			}
			return r.failed(crt, out.serial, err)
		}
	}
	if res, err := r.finish(ctx, crt); err != nil || !res.IsZero() {
		return res, err
	}
	r.recorder.Eventf(crt, nil, corev1.EventTypeNormal, v1alpha1.ReasonRevokeDone, "Revoke", "%s; %s", message, next)
	return ctrl.Result{}, nil
}

// retry turns an error of a step into the reconcile's answer: a refusal
// is final, a wait or a conflict comes back later, anything else is a
// failure.
func (r *RevokeAnnotationReconciler) retry(ctx context.Context, crt *cmapi.Certificate, serial string, err error) (ctrl.Result, error) {
	var refusal *revokeRefusal
	var wait *revokeWait
	switch {
	case errors.As(err, &refusal):
		return r.refuse(ctx, crt, refusal.message)
	case errors.As(err, &wait):
		return ctrl.Result{RequeueAfter: wait.after}, nil
	case errors.Is(err, errConflict):
		return ctrl.Result{RequeueAfter: conflictRetry}, nil // read it again
	}
	return r.failed(crt, serial, err)
}

// failed reports a failure and retries with backoff.
func (r *RevokeAnnotationReconciler) failed(crt *cmapi.Certificate, serial string, err error) (ctrl.Result, error) {
	what := "the certificate in Secret " + crt.Spec.SecretName
	if serial != "" {
		what = "certificate serial " + serial
	}
	r.recorder.Eventf(crt, nil, corev1.EventTypeWarning, v1alpha1.ReasonRevokeFailed, "Revoke", "Revoking %s failed, retrying with backoff: %v", what, err)
	return ctrl.Result{}, err // requeue with backoff
}

// refuse records why the revocation will not be made and removes the
// annotation: the user annotates again once the cause is fixed.
func (r *RevokeAnnotationReconciler) refuse(ctx context.Context, crt *cmapi.Certificate, message string) (ctrl.Result, error) {
	if res, err := r.finish(ctx, crt); err != nil || !res.IsZero() {
		return res, err
	}
	r.recorder.Eventf(crt, nil, corev1.EventTypeWarning, v1alpha1.ReasonRevokeRefused, "Revoke", "Not revoked: %s; the %s annotation was removed", message, v1alpha1.AnnotationRevoke)
	return ctrl.Result{}, nil
}

// finish removes the revoke annotation and the pin, on the Certificate as
// it is now (a renewal may have changed it since it was read).
func (r *RevokeAnnotationReconciler) finish(ctx context.Context, crt *cmapi.Certificate) (ctrl.Result, error) {
	if err := r.apiReader.Get(ctx, client.ObjectKeyFromObject(crt), crt); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	p := metadataPatch{annotations: map[string]*string{v1alpha1.AnnotationRevoke: nil, AnnotationRevokeSerial: nil}, resourceVersion: crt.ResourceVersion}
	err := p.apply(ctx, r.client, crt)
	if errors.Is(err, errConflict) {
		return ctrl.Result{RequeueAfter: conflictRetry}, nil
	}
	return ctrl.Result{}, client.IgnoreNotFound(err)
}

// revokedMessage is the record of a revocation: serial, PCA certificate,
// reason and time.
func revokedMessage(out revokeOutcome, reason string) string {
	verb := "Revoked"
	if out.earlier {
		verb = "Found already revoked"
	}
	store := ""
	if out.storeID != 0 {
		store = fmt.Sprintf(" of PCA store %d", out.storeID)
	}
	return fmt.Sprintf("%s certificate serial %s (PCA certificate %d%s) with reason %s at %s",
		verb, out.serial, out.certificateID, store, reason, out.at.UTC().Format("2006-01-02T15:04:05Z"))
}

// requestRecording returns the CertificateRequest owned by crt whose
// issuance record names serial, or nil when there is none.
func requestRecording(ctx context.Context, c client.Reader, crt *cmapi.Certificate, serial *big.Int) (*cmapi.CertificateRequest, error) {
	crs, err := requestsOf(ctx, c, crt.Namespace, crt.Name)
	if err != nil {
		return nil, err
	}
	for i := range crs {
		cr := &crs[i]
		if !ownedByUID(cr, crt) {
			continue
		}
		if rec, ok := recordOf(cr); ok && rec.serial.Cmp(serial) == 0 {
			return cr, nil
		}
	}
	return nil, nil
}

// unreadable reports a Secret whose tls.crt cannot be parsed (too large,
// not PEM, not a certificate), as opposed to a failed read: that does not
// get better by retrying.
func unreadable(err error) bool {
	var status apierrors.APIStatus
	return !errors.As(err, &status) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}
