package controller

import (
	"context"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
	"github.com/nhnpca/pca-issuer/internal/revocation"
)

// failureHold is how long a failed CRL download or store read is not
// tried again (capped at the check interval), so that a failing PCA costs
// at most one call per minute and CA, not one per certificate.
const failureHold = time.Minute

// cacheIdle is how long an unused cache entry is kept.
const cacheIdle = 24 * time.Hour

// crlKey names one CRL: the PCA endpoint, the store, the issuing CA's
// certificate id, and the SHA-256 of the CA certificate it was verified
// with, so that issuers that pin different CAs never share a CRL.
type crlKey struct {
	url             string
	storeID, certID int64
	ca              [32]byte
}

// maxCachedCRLEntries bounds the revoked serials the CRL cache holds over
// all its CRLs, some 25 MB: a tenant's issuers may each name a PCA that
// serves a CRL of MaxCRLBytes (some 75,000 entries), and a few
// of those must not take the manager past its memory limit. Past the
// bound, the least recently used CRLs are dropped (downloaded again when
// next needed); a CRL larger than the bound on its own is still kept.
const maxCachedCRLEntries = 200_000

// crlEntry is one cached CRL, or the error of its last download. lock is
// a one-slot semaphore: one download per CRL at a time, and a caller
// waiting for it gives up with its context.
type crlEntry struct {
	lock    chan struct{}
	crl     *revocation.CRL
	err     error
	fetched time.Time
	// used and size (the CRL's revoked entries, as counted in the cache's
	// total) are guarded by crlCache.mu; the others by lock.
	used time.Time
	size int
}

// crlCache keeps verified CRLs, so that one download per issuing CA and
// check interval covers every certificate of that CA (docs/revocation.md,
// "Revocation checks"), within maxEntries revoked serials in all.
type crlCache struct {
	mu    sync.Mutex
	m     map[crlKey]*crlEntry
	swept time.Time
	// size is the sum of the sizes of the entries of m.
	size, maxEntries int
}

func newCRLCache() *crlCache {
	return &crlCache{m: map[crlKey]*crlEntry{}, maxEntries: maxCachedCRLEntries}
}

// entry returns key's entry, made on first use; entries unused for
// cacheIdle are dropped, at most once an hour.
func (c *crlCache) entry(key crlKey, now time.Time) *crlEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now.Sub(c.swept) > time.Hour {
		for k, e := range c.m {
			if now.Sub(e.used) > cacheIdle {
				delete(c.m, k)
				c.size -= e.size
			}
		}
		c.swept = now
	}
	e, ok := c.m[key]
	if !ok {
		e = &crlEntry{lock: make(chan struct{}, 1)}
		c.m[key] = e
	}
	e.used = now
	return e
}

// get returns key's CRL: the cached one while it is younger than interval
// and before its nextUpdate, else a new one from fetch. A CRL past its
// nextUpdate (but within revocation.MaxClockSkew, so still believed) is
// kept for failureHold (at most interval) too: a PCA that serves CRLs
// with a nextUpdate already past, or a second after their thisUpdate,
// must not cost one download per certificate checked. A failed fetch is
// answered for failureHold (at most interval) without another call.
func (c *crlCache) get(ctx context.Context, key crlKey, interval time.Duration, now time.Time, fetch func(context.Context) (*revocation.CRL, error)) (*revocation.CRL, error) {
	e := c.entry(key, now)
	select {
	case e.lock <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-e.lock }()
	if e.crl != nil && now.Sub(e.fetched) < interval {
		fresh := now.Before(e.crl.NextUpdate)
		held := now.Sub(e.fetched) < failureHold && now.Before(e.crl.NextUpdate.Add(revocation.MaxClockSkew))
		if fresh || held {
			return e.crl, nil
		}
	}
	if e.err != nil && now.Sub(e.fetched) < min(interval, failureHold) {
		return nil, e.err
	}
	crl, err := fetch(ctx)
	e.crl, e.err, e.fetched = crl, err, now
	c.account(key, e)
	return crl, err
}

// account counts e's CRL (its lock held) in the cache's size, and drops
// the least recently used other CRLs while the size is past maxEntries.
func (c *crlCache) account(key crlKey, e *crlEntry) {
	n := 0
	if e.crl != nil {
		n = e.crl.Len()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m[key] != e {
		return // dropped meanwhile: not counted
	}
	c.size += n - e.size
	e.size = n
	for c.size > c.maxEntries {
		var oldest crlKey
		var old *crlEntry
		for k, o := range c.m {
			if o != e && o.size > 0 && (old == nil || o.used.Before(old.used)) {
				oldest, old = k, o
			}
		}
		if old == nil {
			return // e alone is past the bound
		}
		delete(c.m, oldest) // a caller holding it finishes with it
		c.size -= old.size
	}
}

// storeEntry is an issuer's store as last read, or the error of the read.
type storeEntry struct {
	stamp   string
	store   *wire.Store
	err     error
	fetched time.Time
}

// storeCache keeps each issuer's store (its crlActive and ocspActive), read
// at most once per check interval, or per failureHold after a failure.
type storeCache struct {
	mu    sync.Mutex
	m     map[types.NamespacedName]storeEntry
	swept time.Time
}

func newStoreCache() *storeCache { return &storeCache{m: map[types.NamespacedName]storeEntry{}} }

// get returns the store of the issuer key read for stamp (its UID and
// generation), through read when the cached one is too old.
func (c *storeCache) get(ctx context.Context, key types.NamespacedName, stamp string, interval time.Duration, now time.Time, read func(context.Context) (*wire.Store, error)) (*wire.Store, error) {
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if ok && e.stamp == stamp {
		if e.store != nil && now.Sub(e.fetched) < interval {
			return e.store, nil
		}
		if e.err != nil && now.Sub(e.fetched) < min(interval, failureHold) {
			return nil, e.err
		}
	}
	store, err := read(ctx)
	c.mu.Lock()
	c.m[key] = storeEntry{stamp: stamp, store: store, err: err, fetched: now}
	if now.Sub(c.swept) > time.Hour {
		// Issuers deleted without a check noticing keep no entry for ever.
		for k, e := range c.m {
			if now.Sub(e.fetched) > cacheIdle {
				delete(c.m, k)
			}
		}
		c.swept = now
	}
	c.mu.Unlock()
	return store, err
}

// forget drops a deleted issuer's store.
func (c *storeCache) forget(key types.NamespacedName) {
	c.mu.Lock()
	delete(c.m, key)
	c.mu.Unlock()
}

// noticeLog remembers which notices were given, so that a notice about an
// issuer is given once (hold <= 0) or once per hold. Its keys name issuer
// generations, which come and go: a notice older than cacheIdle (longer
// than any hold, a check interval at most) is forgotten, so a notice given
// "once" is given again at most daily, and the log does not grow for ever.
type noticeLog struct {
	mu    sync.Mutex
	given map[string]time.Time
	swept time.Time
}

func newNoticeLog() *noticeLog { return &noticeLog{given: map[string]time.Time{}} }

// first reports whether the notice key is due at now, and records it.
func (n *noticeLog) first(key string, now time.Time, hold time.Duration) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if now.Sub(n.swept) > time.Hour {
		for k, at := range n.given {
			if now.Sub(at) > cacheIdle {
				delete(n.given, k)
			}
		}
		n.swept = now
	}
	if at, ok := n.given[key]; ok && (hold <= 0 || now.Sub(at) < hold) {
		return false
	}
	n.given[key] = now
	return true
}
