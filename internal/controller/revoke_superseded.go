package controller

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"strconv"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// SupersededReconciler revokes the certificates that renewals replaced,
// for issuers with spec.revocation.revokeSuperseded (docs/revocation.md,
// "Revoking superseded certificates"). It reconciles a Certificate's name
// and works on the CertificateRequests held by FinalizerRevokeSuperseded:
//
//   - a request whose certificate is no longer in the Secret, and whose
//     revision (cert-manager.io/certificate-revision) is below the
//     Certificate's status.revision, was superseded: the time pca-issuer
//     first sees that is recorded (AnnotationSupersededAt);
//   - once the issuer's gracePeriod has passed since, its certificate is
//     revoked (at most once, by the revoker) and the request released;
//   - a request not superseded is held until it is, and released without
//     revoking when its Certificate is gone, or when its issuer is gone or
//     no longer revokes superseded certificates.
//
// The certificate in the Secret is never revoked: it is not superseded.
type SupersededReconciler struct {
	client    client.Client
	apiReader client.Reader
	revoker   *revoker
	recorder  recorder.EventRecorder
	clock     clock.PassiveClock
}

// Reconcile handles the held requests of one Certificate name.
func (r *SupersededReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	crs, err := requestsOf(ctx, r.client, req.Namespace, req.Name)
	if err != nil {
		return ctrl.Result{}, err // requeue with backoff
	}
	var crt *cmapi.Certificate
	var next time.Duration
	var errs []error
	leaf := &leafOnce{}
	for i := range crs {
		cr := &crs[i]
		if !hasFinalizer(cr) {
			continue
		}
		if crt == nil {
			if crt, err = r.certificate(ctx, req.NamespacedName); err != nil {
				return ctrl.Result{}, err
			}
		}
		after, err := r.handle(ctx, cr, crt, leaf)
		if err != nil {
			errs = append(errs, err)
		}
		if after > 0 && (next == 0 || after < next) {
			next = after
		}
	}
	if err := errors.Join(errs...); err != nil {
		return ctrl.Result{}, err // requeue with backoff
	}
	return ctrl.Result{RequeueAfter: next}, nil
}

// certificate reads the Certificate; a missing one, or one being deleted,
// is an empty Certificate (no UID owns anything).
func (r *SupersededReconciler) certificate(ctx context.Context, key client.ObjectKey) (*cmapi.Certificate, error) {
	crt := &cmapi.Certificate{}
	err := r.client.Get(ctx, key, crt)
	switch {
	case apierrors.IsNotFound(err):
		return &cmapi.Certificate{}, nil
	case err != nil:
		return nil, err
	case crt.DeletionTimestamp != nil:
		return &cmapi.Certificate{}, nil
	}
	return crt, nil
}

// handle moves one held request on, and says how long until it is due.
func (r *SupersededReconciler) handle(ctx context.Context, cr *cmapi.CertificateRequest, crt *cmapi.Certificate, leaf *leafOnce) (time.Duration, error) {
	rec, ok := recordOf(cr)
	if !ok || !annotationTime(cr, AnnotationRevoked).IsZero() {
		return 0, r.release(ctx, cr) // nothing (left) to revoke
	}
	ref, ours := certificateRequest{cr: cr}.issuerRef()
	if !ours {
		return 0, r.release(ctx, cr)
	}
	iss := ref.newObject()
	if err := r.client.Get(ctx, ref.key(), iss); err != nil {
		if !apierrors.IsNotFound(err) {
			return 0, err
		}
		r.event(cr, crt, corev1.EventTypeNormal, v1alpha1.ReasonRevokeSkipped, "Not revoking certificate serial %s (PCA certificate %d) when superseded: %s is gone", wire.FormatSerial(rec.serial), rec.certificateID, ref)
		return 0, r.release(ctx, cr)
	}
	policy := iss.GetSpec().Revocation
	if policy == nil || !policy.RevokeSuperseded {
		r.event(cr, crt, corev1.EventTypeNormal, v1alpha1.ReasonRevokeSkipped, "Not revoking certificate serial %s (PCA certificate %d) when superseded: %s no longer has spec.revocation.revokeSuperseded", wire.FormatSerial(rec.serial), rec.certificateID, ref)
		return 0, r.release(ctx, cr)
	}
	now := r.clock.Now()
	since := annotationTime(cr, AnnotationSupersededAt)
	if since.IsZero() {
		if !ownedByUID(cr, crt) {
			return 0, r.release(ctx, cr) // its Certificate is gone: nothing replaced it
		}
		replaced, err := superseded(cr, rec, crt, func() (*x509.Certificate, error) { return leaf.get(ctx, r.apiReader, crt) })
		if err != nil || !replaced {
			return 0, err // held until a renewal replaces it
		}
		since = now
		// Locked: a lagging cache must not move the first sighting later.
		p := metadataPatch{annotations: map[string]*string{AnnotationSupersededAt: ptrTo(formatTime(since))}, resourceVersion: cr.ResourceVersion}
		if err := p.apply(ctx, r.client, cr); err != nil {
			if errors.Is(err, errConflict) {
				return conflictRetry, nil // read it again
			}
			return 0, client.IgnoreNotFound(err)
		}
	}
	grace := v1alpha1.DefaultRevocationGracePeriod
	if policy.GracePeriod != nil {
		grace = policy.GracePeriod.Duration
	}
	if due := since.Add(grace); now.Before(due) {
		return due.Sub(now), nil // the grace period runs
	}
	out, err := r.revoker.revoke(ctx, cr)
	var refusal *revokeRefusal
	var wait *revokeWait
	switch {
	case errors.As(err, &refusal):
		r.event(cr, crt, corev1.EventTypeWarning, v1alpha1.ReasonRevokeRefused, "Not revoking superseded certificate serial %s: %s", wire.FormatSerial(rec.serial), refusal.message)
		return 0, r.release(ctx, cr)
	case errors.As(err, &wait):
		return wait.after, nil
	case errors.Is(err, errConflict):
		return conflictRetry, nil // read it again
	case err != nil:
		r.event(cr, crt, corev1.EventTypeWarning, v1alpha1.ReasonRevokeFailed, "Revoking superseded certificate serial %s failed, retrying with backoff: %v", wire.FormatSerial(rec.serial), err)
		return 0, err
	}
	r.event(cr, crt, corev1.EventTypeNormal, v1alpha1.ReasonRevokeDone, "%s: CertificateRequest %s's certificate was replaced in the Secret at %s, and the grace period of %s has passed",
		revokedMessage(out, "superseded"), cr.Name, since.UTC().Format(time.RFC3339), grace)
	return 0, nil
}

// superseded reports whether cr's certificate was replaced in crt's
// Secret by a renewal: cr's revision is below the Certificate's (cert-manager
// raises status.revision once it wrote a renewal to the Secret), and the
// Secret holds another certificate. A Secret without a certificate
// replaced nothing. The Secret is read (through leaf) only when the
// revisions say a renewal happened.
func superseded(cr *cmapi.CertificateRequest, rec issuanceRecord, crt *cmapi.Certificate, leafOf func() (*x509.Certificate, error)) (bool, error) {
	revision, err := strconv.Atoi(cr.Annotations[cmapi.CertificateRequestRevisionAnnotationKey])
	if err != nil || crt.Status.Revision == nil || revision >= *crt.Status.Revision {
		return false, nil
	}
	leaf, leafErr := leafOf()
	if errors.Is(leafErr, errNoLeaf) {
		return false, nil
	}
	if leafErr != nil {
		return false, leafErr
	}
	return leaf.SerialNumber.Cmp(rec.serial) != 0, nil
}

// release removes the finalizer: the request may go.
func (r *SupersededReconciler) release(ctx context.Context, cr *cmapi.CertificateRequest) error {
	return updateRequest(ctx, r.client, r.apiReader, cr, nil, true)
}

// event records on the Certificate, or on the request when the
// Certificate is gone.
func (r *SupersededReconciler) event(cr *cmapi.CertificateRequest, crt *cmapi.Certificate, eventType, reason, note string, args ...any) {
	var regarding client.Object = crt
	if !ownedByUID(cr, crt) {
		regarding = cr
	}
	r.recorder.Eventf(regarding, nil, eventType, reason, "Revoke", "%s", fmt.Sprintf(note, args...))
}

// leafOnce reads a Certificate's leaf at most once per reconcile.
type leafOnce struct {
	done bool
	leaf *x509.Certificate
	err  error
}

func (l *leafOnce) get(ctx context.Context, r client.Reader, crt *cmapi.Certificate) (*x509.Certificate, error) {
	if !l.done {
		l.leaf, l.err = currentLeaf(ctx, r, crt)
		l.done = true
	}
	return l.leaf, l.err
}
