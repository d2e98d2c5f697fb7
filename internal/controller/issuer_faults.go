package controller

import (
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

// issuerFaultBuffer is how many reported issuers may wait for the issuer
// controllers; the workqueue merges repeats, so it only absorbs bursts.
const issuerFaultBuffer = 256

// issuerFaults carries issuer faults that request reconcilers meet while
// signing (credentials refused, store or template gone, Secret unusable)
// to the issuer reconcilers, one channel per issuer kind. Only the issuer
// reconciler writes an issuer's status: a report enqueues the issuer, whose
// check runs at once and turns it not Ready when the fault is real.
type issuerFaults struct {
	byKind map[string]chan event.GenericEvent
}

func newIssuerFaults() *issuerFaults {
	return &issuerFaults{byKind: map[string]chan event.GenericEvent{
		kindIssuer:        make(chan event.GenericEvent, issuerFaultBuffer),
		kindClusterIssuer: make(chan event.GenericEvent, issuerFaultBuffer),
	}}
}

// report asks for iss to be checked again. It never blocks: when the
// buffer is full, checks are already queued and the issuer's timer still
// runs, so the report is dropped.
func (f *issuerFaults) report(iss issuerObject) {
	ch := f.byKind[issuerKindOf(iss)]
	if ch == nil {
		return
	}
	select {
	case ch <- event.GenericEvent{Object: iss}:
	default:
	}
}

// source is the watch source of one issuer kind's controller.
func (f *issuerFaults) source(kind string) source.Source {
	return source.Channel(f.byKind[kind], &handler.EnqueueRequestForObject{})
}

// issuerKindOf returns kindIssuer or kindClusterIssuer for an issuer.
func issuerKindOf(obj client.Object) string {
	if _, ok := obj.(*v1alpha1.PCAClusterIssuer); ok {
		return kindClusterIssuer
	}
	return kindIssuer
}
