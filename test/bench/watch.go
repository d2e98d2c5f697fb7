package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmclient "github.com/cert-manager/cert-manager/pkg/client/clientset/versioned"
	cminformers "github.com/cert-manager/cert-manager/pkg/client/informers/externalversions"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"

	"github.com/nhnpca/pca-issuer/test/harness"
)

// readyTracker records when the benchmark first saw each object Ready, by
// its own clock: the API's timestamps have a resolution of one second.
// It also counts every name it saw, Ready or not.
type readyTracker struct {
	mu    sync.Mutex
	want  int
	seen  map[string]time.Time
	names map[string]struct{}
	done  chan struct{}
	count int
}

// newReadyTracker returns a tracker whose wait ends once want objects were
// Ready; want 0 never ends it (a tracker that only counts).
func newReadyTracker(want int) *readyTracker {
	return &readyTracker{want: want, seen: make(map[string]time.Time, want), names: map[string]struct{}{}, done: make(chan struct{})}
}

// observe notes name as seen, and as Ready now the first time ready is
// true.
func (t *readyTracker) observe(name string, ready bool) {
	now := time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.names[name] = struct{}{}
	if !ready {
		return
	}
	if _, ok := t.seen[name]; ok {
		return
	}
	t.seen[name] = now
	t.count++
	if t.count == t.want {
		close(t.done)
	}
}

// wait blocks until want objects were Ready, ctx ends or timeout passes.
func (t *readyTracker) wait(ctx context.Context, timeout time.Duration) error {
	select {
	case <-t.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(timeout):
		return fmt.Errorf("only %d of %d objects became Ready within %s", t.ready(), t.want, timeout)
	}
}

// distinct returns how many objects were seen, Ready or not.
func (t *readyTracker) distinct() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.names)
}

func (t *readyTracker) ready() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.count
}

// readyAt returns a copy of the first-Ready times by name.
func (t *readyTracker) readyAt() map[string]time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]time.Time, len(t.seen))
	for k, v := range t.seen {
		out[k] = v
	}
	return out
}

// kindWatch chooses which cert-manager kind a watch follows.
type kindWatch int

const (
	watchCertificates kindWatch = iota
	watchRequests
)

// watchReady runs a shared informer on the namespace's Certificates or
// CertificateRequests until ctx ends, feeding t; it returns once the
// informer's first list is in.
func watchReady(ctx context.Context, cfg *rest.Config, ns string, kind kindWatch, t *readyTracker) error {
	cs, err := cmclient.NewForConfig(cfg)
	if err != nil {
		return err
	}
	factory := cminformers.NewSharedInformerFactoryWithOptions(cs, 0, cminformers.WithNamespace(ns))
	var informer cache.SharedIndexInformer
	var onEvent func(obj any)
	switch kind {
	case watchCertificates:
		informer = factory.Certmanager().V1().Certificates().Informer()
		onEvent = func(obj any) {
			if crt, ok := obj.(*cmapi.Certificate); ok {
				t.observe(crt.Name, harness.CertificateReady(crt))
			}
		}
	default:
		informer = factory.Certmanager().V1().CertificateRequests().Informer()
		onEvent = func(obj any) {
			if cr, ok := obj.(*cmapi.CertificateRequest); ok {
				c := harness.RequestReady(cr)
				t.observe(cr.Name, c != nil && c.Reason == cmapi.CertificateRequestReasonIssued)
			}
		}
	}
	if _, err := informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    onEvent,
		UpdateFunc: func(_, obj any) { onEvent(obj) },
	}); err != nil {
		return err
	}
	factory.Start(ctx.Done())
	for typ, ok := range factory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			return fmt.Errorf("the informer of %v did not sync", typ)
		}
	}
	return nil
}
