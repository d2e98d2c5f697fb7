package controller

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/metrics"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
	"github.com/nhnpca/pca-issuer/internal/revocation"
)

// revocationAPI is the part of the PCA API a revocation check calls: the
// issuer's templates and CA chain (as signing reads them), the store's
// CRL and OCSP switches, the CRL download and the OCSP responder.
// *pca.Client implements it; unit tests fake it.
type revocationAPI interface {
	pcaAPI
	// GetStore reads the store, for crlActive and ocspActive.
	GetStore(ctx context.Context, caStoreID int64) (*wire.Store, error)
	// DownloadCRL returns the CRL of an issuing CA, DER when der.
	DownloadCRL(ctx context.Context, caStoreID, issuerCertID int64, der bool) ([]byte, error)
	// OCSP answers a DER OCSP request with a DER OCSP response.
	OCSP(ctx context.Context, caStoreID int64, derRequest []byte) ([]byte, error)
}

// revocationSource returns the PCA API of an issuer, as pcaSource does.
type revocationSource func(ctx context.Context, iss v1alpha1.Issuer) (revocationAPI, error)

// revocationSourceOf adapts clients to a revocationSource.
func revocationSourceOf(cs *clients) revocationSource {
	return func(ctx context.Context, iss v1alpha1.Issuer) (revocationAPI, error) {
		pc, err := cs.For(ctx, iss)
		if err != nil {
			return nil, err // not a typed nil in the interface
		}
		return pc, nil
	}
}

// errNotIssued means a leaf was not issued under any CA of its issuer's
// chains: its Certificate changed issuer, or the Secret was written by
// someone else. Such a leaf is never checked nor acted on.
var errNotIssued = errors.New("not issued by this issuer")

// revocationChecker checks certificates issuers issued against the PCA's
// revocation status (docs/revocation.md, "Revocation checks"). The
// Certificate and CSR reconcilers share one, with its caches.
type revocationChecker struct {
	client    client.Client
	apiReader client.Reader
	pcaFor    revocationSource
	templates *templateCache
	pins      *caPins
	// slots are the revocation checks' own per-tenant slots: a tenant's
	// slow PCA holds at most that many workers, and never delays signing.
	slots    *issuerSlots
	recorder recorder.EventRecorder
	clock    clock.PassiveClock
	opts     Options

	schedule *checkSchedule
	crls     *crlCache
	// crlParse is a one-slot semaphore: one CRL is parsed at a time in the
	// manager, so that the parse's transient memory (revocation.MaxCRLBytes)
	// is taken once, however many tenants' CRLs are due together.
	crlParse chan struct{}
	stores   *storeCache
	notices  *noticeLog
	// acted holds, per checked object, the serial (PCA spelling) whose
	// revocation was acted on last, so that each is acted on once and
	// repeated ones are held.
	acted *actedLog
}

func newRevocationChecker(c client.Client, apiReader client.Reader, pcaFor revocationSource, templates *templateCache, pins *caPins, rec recorder.EventRecorder, opts Options) *revocationChecker {
	return &revocationChecker{
		client: c, apiReader: apiReader, pcaFor: pcaFor, templates: templates, pins: pins,
		slots: newIssuerSlots(opts.MaxConcurrentPerTenant), recorder: rec, clock: clock.RealClock{}, opts: opts,
		schedule: newCheckSchedule(), crls: newCRLCache(), crlParse: make(chan struct{}, 1), stores: newStoreCache(), notices: newNoticeLog(),
		acted: newActedLog(),
	}
}

// checkIntervalOf is the issuer's spec.revocation.checkInterval, or
// v1alpha1.DefaultRevocationCheckInterval; never below a second nor above
// v1alpha1.MaxRevocationCheckInterval (the CRD's bounds, for objects
// stored before them: the schedule's arithmetic must not overflow).
func checkIntervalOf(iss v1alpha1.Issuer) time.Duration {
	if r := iss.GetSpec().Revocation; r != nil && r.CheckInterval != nil && r.CheckInterval.Duration > 0 {
		return min(max(r.CheckInterval.Duration, time.Second), v1alpha1.MaxRevocationCheckInterval)
	}
	return v1alpha1.DefaultRevocationCheckInterval
}

// subject is one object whose certificate is checked: a Certificate or a
// Kubernetes CSR.
type subject struct {
	key checkKey
	ref issuerRef
	// leaf reads the certificate in use and the CA candidates next to it;
	// an error wrapping errNoLeaf means none yet.
	leaf func(ctx context.Context) (*x509.Certificate, []*x509.Certificate, error)
	// busy reports a renewal already on its way: nothing to check.
	busy bool
	// revoked acts on a revoked leaf: it returns whether it acted (false:
	// nothing to do, e.g. the leaf is no longer in use), or an error to
	// retry.
	revoked func(ctx context.Context, leaf *x509.Certificate, serial, message string) (bool, error)
}

// reconcile checks s when its time has come and acts on a revocation
// once per serial. Its PCA calls are bounded by the tenant's slots and
// Options.ReconcileTimeout.
func (c *revocationChecker) reconcile(ctx context.Context, s subject) (ctrl.Result, error) {
	iss := s.ref.newObject()
	if err := c.client.Get(ctx, s.ref.key(), iss); err != nil {
		if client.IgnoreNotFound(err) != nil {
			return ctrl.Result{}, err // requeue with backoff
		}
		// Its creation does not wake us: look again an interval later.
		c.stores.forget(s.ref.key())
		return ctrl.Result{RequeueAfter: c.schedule.checked(s.key, c.clock.Now(), v1alpha1.DefaultRevocationCheckInterval)}, nil
	}
	interval := checkIntervalOf(iss)
	now := c.clock.Now()
	if wait := c.schedule.wait(s.key, now, interval); wait > 0 {
		return ctrl.Result{RequeueAfter: wait}, nil
	}
	if !iss.GetStatus().IsReady(iss.GetGeneration()) || s.busy {
		return ctrl.Result{RequeueAfter: c.schedule.checked(s.key, now, interval)}, nil // its Ready condition says why
	}
	leaf, cas, err := s.leaf(ctx)
	if err != nil {
		if !errors.Is(err, errNoLeaf) {
			ctrl.LoggerFrom(ctx).V(1).Info("not checking revocation: the certificate in use does not parse", "reason", err.Error())
		}
		return ctrl.Result{RequeueAfter: c.schedule.checked(s.key, now, interval)}, nil
	}
	if !now.Before(leaf.NotAfter) {
		// Expired: cert-manager renews it, and CRLs may drop it.
		return ctrl.Result{RequeueAfter: c.schedule.checked(s.key, now, interval)}, nil
	}
	release, ok := c.slots.acquire(tenantOf(s.ref.key()))
	if !ok {
		return ctrl.Result{RequeueAfter: slotWait()}, nil // its tenant's other checks hold the slots
	}
	checkCtx, cancel := context.WithTimeout(ctx, c.opts.ReconcileTimeout)
	status, err := c.check(checkCtx, iss, leaf, cas, interval, now)
	cancel()
	release()
	next := ctrl.Result{RequeueAfter: c.schedule.checked(s.key, now, interval)}
	if err != nil || status.State != revocation.Revoked {
		return next, nil
	}
	serial := wire.FormatSerial(leaf.SerialNumber)
	due, wait := c.acted.due(s.key, serial, now)
	if !due {
		if wait > 0 {
			ctrl.LoggerFrom(ctx).Info("a revoked certificate again: its renewal is held, as the previous ones were revoked in a row", "serial", serial, "for", wait.String())
			c.schedule.dueAt(s.key, now.Add(wait))
			return ctrl.Result{RequeueAfter: wait}, nil
		}
		return next, nil
	}
	message := fmt.Sprintf("The certificate with serial %s was revoked in the PCA (reason %s, at %s)",
		serial, revocation.ReasonName(status.Reason), status.RevokedAt.UTC().Format(time.RFC3339))
	acted, err := s.revoked(ctx, leaf, serial, message)
	if err != nil {
		c.schedule.dueAt(s.key, now) // the retry checks again at once, not an interval later
		return ctrl.Result{}, err    // requeue with backoff; acted on once it succeeds
	}
	if acted {
		c.acted.record(s.key, serial, now)
	}
	return next, nil
}

// check returns the revocation state of leaf from the issuer's store: its
// CRL where crlActive and the issuing CA's certificate id is known, else
// (or when the CRL cannot be had or verified) OCSP where ocspActive. It counts the result in
// pca_issuer_revocation_checks_total and tells the issuer, once per
// interval, when the state could not be had. An error means no state.
func (c *revocationChecker) check(ctx context.Context, iss issuerObject, leaf *x509.Certificate, cas []*x509.Certificate, interval time.Duration, now time.Time) (revocation.Status, error) {
	label := metrics.IssuerLabel(iss.GetNamespace(), iss.GetName())
	status, err := c.status(ctx, iss, leaf, cas, interval, now)
	var unchecked *uncheckedError
	switch {
	case errors.Is(err, errNotIssued):
		return revocation.Status{}, err // not ours: no metric, no noise
	case errors.As(err, &unchecked):
		metrics.ObserveRevocationCheck(label, metrics.RevocationUnchecked)
		key := fmt.Sprintf("unchecked/%s/%s/%d", issuerKey(iss), iss.GetUID(), iss.GetGeneration())
		if c.notices.first(key, now, 0) {
			c.recorder.Eventf(iss, nil, corev1.EventTypeWarning, v1alpha1.ReasonRevocationUnchecked, "CheckRevocation", "%s", unchecked.Error())
		}
		return revocation.Status{}, err
	case err != nil:
		metrics.ObserveRevocationCheck(label, metrics.RevocationError)
		c.tellFailure(ctx, iss, leaf, err, interval, now)
		return revocation.Status{}, err
	}
	metrics.ObserveRevocationCheck(label, string(status.State))
	if status.State == revocation.Unknown {
		// The store does not know a certificate this issuer issued: a
		// check that tells nothing is not a pass.
		c.tellFailure(ctx, iss, leaf, fmt.Errorf("the OCSP responder of store %d answers unknown (RFC 6960 section 2.2): it does not know the certificate", iss.GetSpec().CAStoreID), interval, now)
	}
	return status, nil
}

// tellFailure logs a failed check, and tells the issuer with a Warning
// event RevocationCheckFailed at most once per interval, and at most once
// per failureHold with the short intervals a tenant may set (more often,
// the failure is logged at verbosity 1 only).
func (c *revocationChecker) tellFailure(ctx context.Context, iss issuerObject, leaf *x509.Certificate, err error, interval time.Duration, now time.Time) {
	label := metrics.IssuerLabel(iss.GetNamespace(), iss.GetName())
	if !c.notices.first("failed/"+issuerKey(iss).String(), now, max(interval, failureHold)) {
		ctrl.LoggerFrom(ctx).V(1).Info("revocation check failed", "issuer", label, "reason", err.Error())
		return
	}
	ctrl.LoggerFrom(ctx).Info("revocation check failed", "issuer", label, "reason", err.Error())
	c.recorder.Eventf(iss, nil, corev1.EventTypeWarning, v1alpha1.ReasonRevocationCheckFailed, "CheckRevocation",
		"Checking the revocation of certificate %s failed: %v; retrying every %s", wire.FormatSerial(leaf.SerialNumber), err, interval)
}

// uncheckedError says why a certificate's revocation cannot be checked.
type uncheckedError struct{ message string }

func (e *uncheckedError) Error() string { return e.message }

// status reads leaf's revocation state; see check.
func (c *revocationChecker) status(ctx context.Context, iss issuerObject, leaf *x509.Certificate, cas []*x509.Certificate, interval time.Duration, now time.Time) (revocation.Status, error) {
	pc, err := c.pcaFor(ctx, iss)
	if err != nil {
		return revocation.Status{}, err
	}
	issuing, certID, err := c.issuingCA(ctx, pc, iss, leaf, cas, now)
	if err != nil {
		return revocation.Status{}, err
	}
	spec := iss.GetSpec()
	stamp := fmt.Sprintf("%s/%d", iss.GetUID(), iss.GetGeneration())
	store, err := c.stores.get(ctx, issuerKey(iss), stamp, interval, now, func(ctx context.Context) (*wire.Store, error) {
		return pc.GetStore(ctx, spec.CAStoreID)
	})
	if err != nil {
		return revocation.Status{}, fmt.Errorf("reading store %d: %w", spec.CAStoreID, err)
	}
	if store.CRLActive && certID != 0 {
		status, err := c.crlStatus(ctx, pc, spec, leaf, issuing, certID, interval, now)
		if err == nil || !store.OCSPActive {
			return status, err
		}
		// The CRL failed, OCSP may still answer: the failure is told, and
		// this certificate checked through OCSP.
		c.tellFailure(ctx, iss, leaf, err, interval, now)
	}
	switch {
	case store.OCSPActive:
		req, err := revocation.OCSPRequest(leaf, issuing)
		if err != nil {
			return revocation.Status{}, err
		}
		der, err := pc.OCSP(ctx, spec.CAStoreID, req)
		if err != nil {
			return revocation.Status{}, fmt.Errorf("asking the OCSP responder of store %d: %w", spec.CAStoreID, err)
		}
		return revocation.ParseOCSP(der, leaf, issuing, now)
	case store.CRLActive:
		return revocation.Status{}, &uncheckedError{fmt.Sprintf(
			"Store %d publishes no OCSP, and the CRL of %q, which issued certificates in use (after a CA rotation), is not read: turn ocspActive on in the store to have them checked",
			spec.CAStoreID, issuing.Subject)}
	default:
		return revocation.Status{}, &uncheckedError{fmt.Sprintf(
			"Store %d publishes neither a CRL nor OCSP: revocations made in the PCA console are not noticed; turn crlActive or ocspActive on in the store",
			spec.CAStoreID)}
	}
}

// crlStatus reads leaf's state from the verified CRL of its issuing CA
// (certificate id certID), downloaded at most once per interval.
func (c *revocationChecker) crlStatus(ctx context.Context, pc revocationAPI, spec *v1alpha1.PCAIssuerSpec, leaf, issuing *x509.Certificate, certID int64, interval time.Duration, now time.Time) (revocation.Status, error) {
	key := crlKey{url: spec.URL, storeID: spec.CAStoreID, certID: certID, ca: sha256.Sum256(issuing.Raw)}
	crl, err := c.crls.get(ctx, key, interval, now, func(ctx context.Context) (*revocation.CRL, error) {
		der, err := pc.DownloadCRL(ctx, spec.CAStoreID, certID, true)
		if err != nil {
			return nil, fmt.Errorf("downloading the CRL of CA certificate %d of store %d: %w", certID, spec.CAStoreID, err)
		}
		select {
		case c.crlParse <- struct{}{}:
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting to parse the CRL of CA certificate %d of store %d: %w", certID, spec.CAStoreID, ctx.Err())
		}
		crl, err := revocation.ParseCRL(der, issuing, now)
		<-c.crlParse
		if err != nil {
			return nil, fmt.Errorf("the CRL of CA certificate %d of store %d: %w", certID, spec.CAStoreID, err)
		}
		return crl, nil
	})
	if err != nil {
		return revocation.Status{}, err
	}
	return crl.Status(leaf.SerialNumber), nil
}

// issuingCA returns the CA certificate that signed leaf and, when it is
// the signing certificate of one of the issuer's templates
// (spec.templateId, spec.allowedTemplateIds), that template's
// signingCertificateId. A leaf signed by another CA counts when that CA is
// among cas (the Secret's chain) and verifies to a root pinned for the
// issuer (an older CA, after a rotation); its certificate id is then 0.
// Any other leaf is errNotIssued. Templates and chains are read as signing
// reads them (cached, pinned).
func (c *revocationChecker) issuingCA(ctx context.Context, pc revocationAPI, iss issuerObject, leaf *x509.Certificate, cas []*x509.Certificate, now time.Time) (*x509.Certificate, int64, error) {
	spec := iss.GetSpec()
	roots := x509.NewCertPool()
	ids := append([]int64{spec.TemplateID}, spec.AllowedTemplateIDs...)
	for i, id := range ids {
		tmpl, err := c.templates.Get(ctx, pc, iss, id, now)
		var chain storeCAs
		if err == nil {
			chain, err = c.pins.chainFor(ctx, pc, issuerKey(iss), spec.CAStoreID, tmpl)
		}
		if err != nil {
			if i == 0 {
				return nil, 0, err // the issuer's own template: its check says more
			}
			continue // an allowed template gone: the others may still fit
		}
		if signedBy(leaf, chain.signing) {
			return chain.signing, tmpl.SigningCertificateID, nil
		}
		for _, r := range chain.roots {
			roots.AddCert(r)
		}
	}
	intermediates := x509.NewCertPool()
	for _, ca := range cas {
		intermediates.AddCert(ca)
	}
	for _, ca := range cas {
		if !signedBy(leaf, ca) {
			continue
		}
		_, err := ca.Verify(x509.VerifyOptions{Roots: roots, Intermediates: intermediates,
			CurrentTime: ca.NotBefore.Add(time.Second), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
		if err == nil {
			return ca, 0, nil
		}
	}
	return nil, 0, errNotIssued
}

// signedBy reports whether ca issued leaf: its subject is leaf's issuer
// and its key verifies leaf's signature.
func signedBy(leaf, ca *x509.Certificate) bool {
	return ca != nil && bytes.Equal(leaf.RawIssuer, ca.RawSubject) && leaf.CheckSignatureFrom(ca) == nil
}

// forget drops what is kept about a deleted object.
func (c *revocationChecker) forget(key checkKey) {
	c.schedule.forget(key)
	c.acted.forget(key)
}
