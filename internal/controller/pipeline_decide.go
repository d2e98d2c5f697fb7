package controller

import (
	"context"
	"errors"
	"fmt"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/metrics"
	"github.com/nhnpca/pca-issuer/internal/signer"
)

// decide computes the request's new status through its adapter and says
// when to come back. Its I/O is reading the issuer, the in-flight marker,
// the requester's rights and the PCA.
func (p *pipeline) decide(ctx context.Context, req request, ref issuerRef) decision {
	now := p.clock.Now()
	iss := ref.newObject()
	getErr := p.client.Get(ctx, ref.key(), iss)
	// Only an issuer that exists gets its own metrics label: a request can
	// name any issuer, and each name would be a new series.
	ref.exists = getErr == nil
	if req.denied() {
		const message = "Denied by an approval controller: it is never sent to the PCA"
		req.setDenied(message, now)
		metrics.ObserveIssuance(ref.label(), metrics.ResultDenied)
		return decision{events: []requestEvent{{corev1.EventTypeWarning, cmapi.CertificateRequestReasonDenied, message}}} // final
	}
	if !req.approved() {
		return decision{} // wait: approval updates the request and wakes us
	}
	if err := req.authorize(ctx); err != nil {
		var perm *signer.PermanentError
		if errors.As(err, &perm) {
			return p.fail(req, ref, perm, now)
		}
		return decision{err: err} // requeue with backoff
	}
	if getErr != nil {
		if client.IgnoreNotFound(getErr) != nil {
			return decision{err: getErr} // requeue with backoff
		}
		return p.pending(req, fmt.Sprintf("%s not found: create it, or fix %s", ref, ref.field), now) // its creation wakes us
	}
	if !iss.GetStatus().IsReady(iss.GetGeneration()) {
		return p.pending(req, notReadyMessage(ref.String(), iss), now) // its turning Ready wakes us
	}
	release, ok := p.slots.acquire(tenantOf(ref.key()))
	if !ok {
		d := p.pending(req, fmt.Sprintf("waiting for %s: its tenant has %d requests signing already (--max-concurrent-per-tenant)", ref, p.opts.MaxConcurrentPerTenant), now)
		d.result = ctrl.Result{RequeueAfter: slotWait()}
		return d // wait without holding a worker
	}
	defer release()
	done := metrics.InFlight()
	defer done()
	return p.sign(ctx, req, ref, iss, now)
}

// sign checks the request, chooses the template, signs through the PCA
// exactly once and records the chain.
func (p *pipeline) sign(ctx context.Context, req request, ref issuerRef, iss issuerObject, now time.Time) decision {
	spec, err := req.spec()
	if err == nil {
		err = p.checkSpec(spec)
	}
	if err != nil {
		return p.failure(req, ref, iss, err, now)
	}
	pc, err := p.pcaFor(ctx, iss)
	if err != nil {
		p.faults.report(iss)
		return p.pending(req, fmt.Sprintf("%s cannot be used: %v", ref, err), now)
	}
	choice, err := p.chooseTemplate(ctx, pc, iss, req, spec.csrPEM)
	if err != nil {
		return p.failure(req, ref, iss, err, now)
	}
	cas, err := p.pins.chainFor(ctx, pc, ref.key(), iss.GetSpec().CAStoreID, choice.template)
	if err != nil {
		return p.failure(req, ref, iss, signer.Classify(err), now)
	}
	res, err := issue(ctx, pc, iss.GetSpec().CAStoreID, choice.template, signRequest{
		csrPEM: spec.csrPEM, duration: spec.duration, isCA: spec.isCA, usages: spec.usages,
		templateID: choice.id, started: markerTime(req.object().GetAnnotations()), now: now, cas: cas,
		markInFlight: func(ctx context.Context) error { return markInFlight(ctx, p.client, req.object(), now) },
	})
	if errors.Is(err, errConflict) {
		return decision{result: ctrl.Result{RequeueAfter: conflictRetry}} // changed under us: read it again
	}
	if err != nil {
		return p.failure(req, ref, iss, err, now)
	}
	var d decision
	for _, w := range res.warnings {
		d.events = append(d.events, requestEvent{corev1.EventTypeWarning, w.Reason, w.Message})
	}
	verb := "Signed"
	if res.adopted {
		verb = "Recovered the certificate signed earlier"
	}
	message := fmt.Sprintf("%s by template %d of PCA store %d (certificate %d, serial %s)",
		verb, choice.id, iss.GetSpec().CAStoreID, res.certificateID, res.serial)
	req.setIssued(res.certificate, res.ca, message, now)
	d.record = newIssuedRecord(req, iss, res)
	metrics.ObserveIssuance(ref.label(), metrics.ResultIssued)
	d.events = append(d.events, requestEvent{corev1.EventTypeNormal, cmapi.CertificateRequestReasonIssued, message})
	return d // done
}

// checkSpec refuses, before any PCA call, what no PCA template can sign: a
// CA certificate, a negative duration, or one below
// Options.MinimumDuration. Messages name the request's own field.
func (p *pipeline) checkSpec(s requestSpec) error {
	if s.isCA {
		return &signer.PermanentError{Reason: v1alpha1.ReasonCANotSupported, Message: fmt.Sprintf(
			"PCA templates issue leaf certificates only: %s asks for a CA certificate; remove it, or use another issuer for CA certificates", s.isCAField)}
	}
	if s.duration < 0 {
		return &signer.PermanentError{Reason: v1alpha1.ReasonInvalidDuration, Message: fmt.Sprintf(
			"%s asks for %s, which is negative: request a positive duration", s.durationField, s.duration)}
	}
	if s.duration > 0 && s.duration < p.opts.MinimumDuration {
		return &signer.PermanentError{Reason: v1alpha1.ReasonDurationTooShort, Message: fmt.Sprintf(
			"%s asks for %s, below the minimum of %s (--minimum-duration): request a longer duration", s.durationField, s.duration, p.opts.MinimumDuration)}
	}
	return nil
}

// failure turns a signer error kind into the request's status: Failed for
// a permanent error or when the retry window has passed, else Pending, with
// the issuer reported for an issuer fault.
func (p *pipeline) failure(req request, ref issuerRef, iss issuerObject, err error, now time.Time) decision {
	var perm *signer.PermanentError
	var issuerErr *signer.IssuerError
	switch {
	case errors.As(err, &perm):
		return p.fail(req, ref, perm, now)
	case now.Sub(req.object().GetCreationTimestamp().Time) > p.opts.MaxRetryDuration:
		return p.fail(req, ref, &signer.PermanentError{Reason: v1alpha1.ReasonRetryWindowPassed, Err: err, Message: fmt.Sprintf(
			"gave up after %s of retries (--max-retry-duration)", p.opts.MaxRetryDuration)}, now)
	case errors.As(err, &issuerErr):
		p.faults.report(iss)
		metrics.ObserveIssuance(ref.label(), metrics.ResultRetry)
		d := p.pending(req, fmt.Sprintf("%s cannot sign right now (%s): %v; the issuer is being checked again", ref, issuerErr.Reason, err), now)
		return d // the issuer's check, or the timer, wakes us
	default:
		metrics.ObserveIssuance(ref.label(), metrics.ResultRetry)
		d := p.pending(req, fmt.Sprintf("Signing failed, retrying: %v", err), now)
		d.result, d.err = ctrl.Result{}, err // requeue with backoff
		return d
	}
}

// fail records a permanent failure: the reason starts the message and is
// the event's reason. The error is terminal: the request is not requeued,
// and is logged once with its reason.
func (p *pipeline) fail(req request, ref issuerRef, perm *signer.PermanentError, now time.Time) decision {
	message := perm.Reason + ": " + perm.Error()
	req.setFailed(perm.Reason, message, now)
	metrics.ObserveIssuance(ref.label(), metrics.ResultFailed)
	return decision{
		err:    reconcile.TerminalError(errors.New(message)),
		events: []requestEvent{{corev1.EventTypeWarning, perm.Reason, message}},
	}
}

// pending records that the request waits and comes back after
// PendingRetryInterval; the Pending event is recorded once per wait.
func (p *pipeline) pending(req request, message string, now time.Time) decision {
	d := decision{result: ctrl.Result{RequeueAfter: p.opts.PendingRetryInterval}}
	if !req.pendingShown() {
		d.events = []requestEvent{{corev1.EventTypeNormal, cmapi.CertificateRequestReasonPending, message}}
	}
	req.setPending(message, now)
	return d
}

// notReadyMessage tells why the issuer is not Ready, from its condition.
func notReadyMessage(name string, iss issuerObject) string {
	c := iss.GetStatus().ReadyCondition()
	if c == nil || c.ObservedGeneration != iss.GetGeneration() {
		return name + " has not been checked yet"
	}
	return fmt.Sprintf("%s is not Ready (%s): %s", name, c.Reason, c.Message)
}
