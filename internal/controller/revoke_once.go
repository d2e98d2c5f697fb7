package controller

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/pca"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// pcaRevokeAPI is the part of the PCA API that revoking calls: read a
// certificate (its serial and status) and revoke it. *pca.Client
// implements it; unit tests fake it.
type pcaRevokeAPI interface {
	GetCertificate(ctx context.Context, caStoreID, certID int64) (*wire.Certificate, error)
	// RevokeCertificate takes no reason: the API guide's revoke call (POST
	// .../certs/{certId}/revoke) has no body, so the RFC 5280 reason is
	// recorded in the cluster's event only (docs/revocation.md).
	RevokeCertificate(ctx context.Context, caStoreID, certID int64) (*wire.RevokeResult, error)
}

// revokeSource returns the PCA API of an issuer, failing as
// (*clients).For does.
type revokeSource func(ctx context.Context, iss v1alpha1.Issuer) (pcaRevokeAPI, error)

// revokeSourceOf adapts clients to a revokeSource.
func revokeSourceOf(cs *clients) revokeSource {
	return func(ctx context.Context, iss v1alpha1.Issuer) (pcaRevokeAPI, error) {
		pc, err := cs.For(ctx, iss)
		if err != nil {
			return nil, err // not a typed nil in the interface
		}
		return pc, nil
	}
}

// revokeRefusal is a revocation pca-issuer will not make, ever, for the
// reason its message gives (the request carries no record, the PCA's
// certificate is another one, the issuer is gone). Callers report it and
// stop trying.
type revokeRefusal struct{ message string }

func (e *revokeRefusal) Error() string { return e.message }

// revokeWait: an earlier attempt may still be calling the PCA; look again
// after the wait.
type revokeWait struct{ after time.Duration }

func (e *revokeWait) Error() string {
	return fmt.Sprintf("a revocation call may be in flight; checking again in %s", e.after)
}

// revokeOutcome is a revocation done: when, and of which certificate.
type revokeOutcome struct {
	at time.Time
	// storeID is 0 when the revocation was recorded by an earlier attempt.
	storeID, certificateID int64
	serial                 string
	// earlier: the certificate was revoked before this attempt (by an
	// earlier one, or outside the cluster); this attempt made no call.
	earlier bool
}

// revoker revokes the certificate a CertificateRequest recorded, at most
// once: the request's AnnotationRevocationRequested is written (locked to
// the request's resourceVersion, so only one worker wins) before the call,
// AnnotationRevoked after it; while the first is younger than timeout no
// call is made, and after it the PCA's status of the certificate says
// whether the call took effect. A certificate the PCA reports REVOKED, or
// answers 409 for and then reports REVOKED, counts as done.
type revoker struct {
	client    client.Client
	apiReader client.Reader
	pcaFor    revokeSource
	clock     clock.PassiveClock
	// timeout bounds the PCA calls of one attempt, and is how long an
	// in-flight marker keeps other attempts off.
	timeout time.Duration
}

// revoke revokes cr's certificate. Errors: *revokeRefusal (never),
// *revokeWait (later), errConflict (read cr again), or a failure to retry
// with backoff (the PCA's error, bounded by the caller).
func (r *revoker) revoke(ctx context.Context, cr *cmapi.CertificateRequest) (revokeOutcome, error) {
	rec, ok := recordOf(cr)
	if !ok {
		return revokeOutcome{}, &revokeRefusal{fmt.Sprintf("CertificateRequest %s has no %s and %s: pca-issuer did not issue its certificate, so it does not revoke it",
			cr.Name, v1alpha1.AnnotationCertificateID, v1alpha1.AnnotationSerialNumber)}
	}
	out := revokeOutcome{certificateID: rec.certificateID, serial: wire.FormatSerial(rec.serial)}
	// Past the cache, which drops status.certificate, and for a current
	// resourceVersion to lock the in-flight marker to.
	if err := r.apiReader.Get(ctx, client.ObjectKeyFromObject(cr), cr); err != nil {
		if apierrors.IsNotFound(err) {
			return out, &revokeRefusal{fmt.Sprintf("CertificateRequest %s is gone", cr.Name)}
		}
		return out, err
	}
	if rec, ok = recordOf(cr); !ok {
		return out, &revokeRefusal{fmt.Sprintf("CertificateRequest %s no longer records a certificate", cr.Name)}
	}
	out.certificateID, out.serial = rec.certificateID, wire.FormatSerial(rec.serial)
	if t := annotationTime(cr, AnnotationRevoked); !t.IsZero() {
		out.at, out.earlier = t, true
		return out, nil
	}
	now := r.clock.Now()
	if t := annotationTime(cr, AnnotationRevocationRequested); !t.IsZero() && now.Before(t.Add(r.timeout)) {
		return out, &revokeWait{after: t.Add(r.timeout).Sub(now)}
	}
	ref, ours := certificateRequest{cr: cr}.issuerRef()
	if !ours {
		return out, &revokeRefusal{fmt.Sprintf("CertificateRequest %s names no PCAIssuer or PCAClusterIssuer", cr.Name)}
	}
	iss := ref.newObject()
	if err := r.client.Get(ctx, ref.key(), iss); err != nil {
		if apierrors.IsNotFound(err) {
			return out, &revokeRefusal{fmt.Sprintf("%s, which issued certificate %d, is gone: pca-issuer cannot reach its PCA; revoke it in the PCA console", ref, rec.certificateID)}
		}
		return out, err
	}
	out.storeID = iss.GetSpec().CAStoreID
	pc, err := r.pcaFor(ctx, iss)
	if err != nil {
		return out, fmt.Errorf("%s cannot be used: %w", ref, err)
	}
	pcaCtx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	revoked, err := r.check(pcaCtx, pc, out.storeID, rec, cr)
	if err != nil {
		return out, err
	}
	if revoked {
		out.at, out.earlier = now, true
		return out, r.markRevoked(ctx, cr, now)
	}
	inFlight := metadataPatch{annotations: map[string]*string{AnnotationRevocationRequested: ptrTo(formatTime(now))}, resourceVersion: cr.ResourceVersion}
	if err := inFlight.apply(ctx, r.client, cr); err != nil {
		return out, err
	}
	res, err := pc.RevokeCertificate(pcaCtx, out.storeID, rec.certificateID)
	if err != nil {
		if pca.StatusOf(err) == http.StatusConflict {
			// Perhaps already revoked: the status tells.
			if revoked, cerr := r.check(pcaCtx, pc, out.storeID, rec, cr); cerr == nil && revoked {
				out.at, out.earlier = now, true
				return out, r.markRevoked(ctx, cr, now)
			}
		}
		return out, err
	}
	if !res.Result || !sameSerial(res.SerialNumber, rec.serial) {
		return out, fmt.Errorf("the PCA answered result %v, serial %q to revoking certificate %d (serial %s); checking its status on the next attempt",
			res.Result, boundedMessage(res.SerialNumber, wire.MaxSerialText), rec.certificateID, out.serial)
	}
	out.at = res.RevocationDatetime.Time
	if out.at.IsZero() {
		out.at = now
	}
	return out, r.markRevoked(ctx, cr, out.at)
}

// check reads the PCA's certificate and reports whether it is REVOKED. It
// must be the very certificate cr holds in status.certificate, which only
// the issuer writes: annotations anyone who may edit the request can
// forge, and a forged record must never revoke another's certificate. A
// certificate the PCA does not know, or another one (the issuer's store
// changed since, or a forged record), is refused.
func (r *revoker) check(ctx context.Context, pc pcaRevokeAPI, storeID int64, rec issuanceRecord, cr *cmapi.CertificateRequest) (bool, error) {
	issued, err := firstCertificateDER(cr.Status.Certificate)
	if err != nil {
		return false, &revokeRefusal{fmt.Sprintf("CertificateRequest %s holds no issued certificate (%v): not revoked", cr.Name, err)}
	}
	got, err := pc.GetCertificate(ctx, storeID, rec.certificateID)
	if pca.IsNotFound(err) {
		return false, &revokeRefusal{fmt.Sprintf("PCA store %d has no certificate %d (serial %s): not revoked", storeID, rec.certificateID, wire.FormatSerial(rec.serial))}
	}
	if err != nil {
		return false, err
	}
	if !sameSerial(got.SerialNumber, rec.serial) {
		return false, &revokeRefusal{fmt.Sprintf("PCA certificate %d of store %d has serial %q, not %s (did the issuer's caStoreId change?): not revoked",
			rec.certificateID, storeID, boundedMessage(got.SerialNumber, wire.MaxSerialText), wire.FormatSerial(rec.serial))}
	}
	if der, err := firstCertificateDER([]byte(got.CertificatePem)); err != nil || !bytes.Equal(der, issued) {
		return false, &revokeRefusal{fmt.Sprintf("PCA certificate %d of store %d is not the certificate CertificateRequest %s holds: not revoked",
			rec.certificateID, storeID, cr.Name)}
	}
	return got.Status == wire.StatusRevoked, nil
}

// markRevoked records the revocation on cr and releases it
// (FinalizerRevokeSuperseded): nothing is left to revoke.
func (r *revoker) markRevoked(ctx context.Context, cr *cmapi.CertificateRequest, at time.Time) error {
	return updateRequest(ctx, r.client, r.apiReader, cr, map[string]*string{AnnotationRevoked: ptrTo(formatTime(at))}, true)
}
