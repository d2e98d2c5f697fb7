package controller

import (
	"context"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// templateKey names a template as seen by one issuer.
type templateKey struct {
	issuer     types.NamespacedName
	templateID int64
}

type cachedTemplate struct {
	uid     types.UID
	tmpl    *wire.Template
	fetched time.Time
}

// templateCache keeps the template facts (maxTTL, usages) that the issuer
// health check read, so that signing a request costs no template read.
// Templates selected per request by annotation are read once and kept for
// maxAge.
type templateCache struct {
	maxAge time.Duration
	mu     sync.Mutex
	byKey  map[templateKey]cachedTemplate
}

func newTemplateCache(maxAge time.Duration) *templateCache {
	return &templateCache{maxAge: maxAge, byKey: map[templateKey]cachedTemplate{}}
}

// Put records a template iss read at now.
func (c *templateCache) Put(iss issuerObject, tmpl *wire.Template, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byKey[templateKey{issuerKey(iss), tmpl.ID}] = cachedTemplate{uid: iss.GetUID(), tmpl: tmpl, fetched: now}
}

// Get returns the template, reading it through pc when it is not cached or
// older than maxAge.
func (c *templateCache) Get(ctx context.Context, pc pcaAPI, iss issuerObject, templateID int64, now time.Time) (*wire.Template, error) {
	key := templateKey{issuerKey(iss), templateID}
	c.mu.Lock()
	cached, ok := c.byKey[key]
	c.mu.Unlock()
	if ok && cached.uid == iss.GetUID() && now.Sub(cached.fetched) < c.maxAge {
		return cached.tmpl, nil
	}
	tmpl, err := pc.GetTemplate(ctx, iss.GetSpec().CAStoreID, templateID)
	if err != nil {
		return nil, err
	}
	c.Put(iss, tmpl, now)
	return tmpl, nil
}

// Forget drops every template of a deleted issuer.
func (c *templateCache) Forget(issuer types.NamespacedName) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.byKey {
		if k.issuer == issuer {
			delete(c.byKey, k)
		}
	}
}
