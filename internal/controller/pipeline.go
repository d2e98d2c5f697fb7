package controller

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/recorder"
)

// pipeline is the one reconcile shape of every request kind: read the
// request, skip what is not ours or finished, decide through the adapter,
// write the status with one patch, then record the events.
type pipeline struct {
	client    client.Client
	apiReader client.Reader
	pcaFor    pcaSource
	templates *templateCache
	faults    *issuerFaults
	slots     *issuerSlots
	pins      *caPins
	recorder  recorder.EventRecorder
	clock     clock.PassiveClock
	opts      Options
}

// requestEvent is one event to record once the status is written.
type requestEvent struct {
	eventType, reason, message string
}

// decision is what reconciling a request decided: when to come back, the
// error to return, and the events to record.
type decision struct {
	result ctrl.Result
	err    error
	events []requestEvent
	// record, when set, is written onto the request before its status.
	record *issuedRecord
}

// reconcile signs one request of kind k. An approved request is read again
// past the cache before any PCA call, so that a lagging cache never causes a
// second issuance. Events are recorded only after the status is written.
func (p *pipeline) reconcile(ctx context.Context, k requestKind, key types.NamespacedName) (ctrl.Result, error) {
	obj := k.newObject()
	if err := p.client.Get(ctx, key, obj); err != nil {
		if client.IgnoreNotFound(err) == nil {
			k.gone(key)
		}
		return ctrl.Result{}, client.IgnoreNotFound(err) // gone: done; else requeue with backoff
	}
	req := k.adapt(obj)
	ref, ours := req.issuerRef()
	if !ours || req.finished() {
		return ctrl.Result{}, nil // not ours, or nothing left to do
	}
	if req.approved() && !req.denied() && req.pendingShown() && p.slots.full(tenantOf(ref.key())) {
		// It already says it waits; while its tenant's slots stay taken, it
		// costs no read past the cache and no access review.
		return ctrl.Result{RequeueAfter: slotWait()}, nil
	}
	if req.approved() && !req.denied() {
		if err := p.apiReader.Get(ctx, key, obj); err != nil {
			return ctrl.Result{}, client.IgnoreNotFound(err) // requeue with backoff
		}
		if req.finished() {
			return ctrl.Result{}, nil // the cache lagged: already done
		}
	}
	orig := obj.DeepCopyObject().(client.Object)
	// The deadline bounds the PCA's part; the status is written on the
	// parent context so that a timed-out attempt still says so.
	decideCtx, cancel := context.WithTimeout(ctx, p.opts.ReconcileTimeout)
	d := p.decide(decideCtx, req, ref)
	cancel()
	if d.record != nil {
		// The record goes first, so that an issued request always has it.
		if err := writeRecord(ctx, p.client, obj, d.record); err != nil {
			if errors.Is(err, errConflict) {
				return ctrl.Result{RequeueAfter: conflictRetry}, nil // the marker finds the certificate again
			}
			return ctrl.Result{}, client.IgnoreNotFound(err) // requeue with backoff
		}
	}
	if err := p.writeStatus(ctx, orig, obj); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err) // requeue with backoff; the events wait too
	}
	for _, e := range d.events {
		p.recorder.Eventf(obj, nil, e.eventType, e.reason, "Sign", "%s", e.message)
	}
	return d.result, d.err
}

// writeStatus patches the status when the decision changed it.
func (p *pipeline) writeStatus(ctx context.Context, orig, obj client.Object) error {
	patch := client.MergeFrom(orig)
	data, err := patch.Data(obj)
	if err != nil {
		return fmt.Errorf("computing the status patch: %w", err)
	}
	if bytes.Equal(data, []byte("{}")) {
		return nil
	}
	return p.client.Status().Patch(ctx, obj, patch)
}
