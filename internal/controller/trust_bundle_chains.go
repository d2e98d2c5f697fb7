package controller

import (
	"context"
	"fmt"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/source"
)

// bundleChains hands the CA chains an issuer check read to the trust
// bundle reconciler: the issuer check makes the PCA calls, the trust
// bundle reconciler makes none, so that a Certificate's change can wake
// it cheaply. Each entry is stamped with the issuer's UID and generation:
// chains read for an older spec are not published for a newer one.
type bundleChains struct {
	mu sync.Mutex
	m  map[types.NamespacedName]chainsEntry
	ch chan event.GenericEvent
}

// chainsEntry is what one issuer check read.
type chainsEntry struct {
	stamp  string
	chains []storeCAs
	// complete is false when some template's chain could not be read.
	complete bool
}

func newBundleChains() *bundleChains {
	return &bundleChains{m: map[types.NamespacedName]chainsEntry{}, ch: make(chan event.GenericEvent, issuerFaultBuffer)}
}

func chainsStamp(iss issuerObject) string {
	return fmt.Sprintf("%s/%d", iss.GetUID(), iss.GetGeneration())
}

// put records the chains of iss and wakes the trust bundle reconciler for
// it. It never blocks: with the buffer full, the issuer is queued already.
func (b *bundleChains) put(iss issuerObject, chains []storeCAs, complete bool) {
	if b == nil {
		return
	}
	b.mu.Lock()
	b.m[issuerKey(iss)] = chainsEntry{stamp: chainsStamp(iss), chains: chains, complete: complete}
	b.mu.Unlock()
	select {
	case b.ch <- event.GenericEvent{Object: iss}:
	default:
	}
}

// get returns the chains last read for iss's UID and generation.
func (b *bundleChains) get(iss issuerObject) (chainsEntry, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	e, ok := b.m[issuerKey(iss)]
	return e, ok && e.stamp == chainsStamp(iss)
}

// forget drops a deleted issuer's chains.
func (b *bundleChains) forget(key types.NamespacedName) {
	if b == nil {
		return
	}
	b.mu.Lock()
	delete(b.m, key)
	b.mu.Unlock()
}

// source is the watch source of the trust bundle reconciler.
func (b *bundleChains) source() source.Source {
	return source.Channel(b.ch, &handler.EnqueueRequestForObject{})
}

// readBundleChains reads, for an issuer that publishes a trust bundle,
// the chains of its other allowed templates (spec.templateId's, cas, the
// check read already) and hands them all to the trust bundle reconciler.
// A template or chain that cannot be read is left out and the set marked
// incomplete; the check's result does not change.
func (r *IssuerReconciler) readBundleChains(ctx context.Context, iss issuerObject, cas storeCAs) {
	spec := iss.GetSpec()
	if r.bundles == nil || spec.TrustBundle == nil {
		return
	}
	chains, complete := []storeCAs{cas}, true
	pc, err := r.clients.For(ctx, iss)
	if err != nil {
		r.bundles.put(iss, chains, false)
		return
	}
	for _, id := range spec.AllowedTemplateIDs {
		if id == spec.TemplateID {
			continue
		}
		tmpl, err := r.templates.Get(ctx, pc, iss, id, time.Now())
		if err != nil {
			complete = false
			continue
		}
		chain, err := r.pins.chainFor(ctx, pc, issuerKey(iss), spec.CAStoreID, tmpl)
		if err != nil {
			complete = false
			continue
		}
		chains = append(chains, chain)
	}
	r.bundles.put(iss, chains, complete)
}
