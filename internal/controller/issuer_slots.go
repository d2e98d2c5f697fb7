package controller

import (
	"math/rand/v2"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
)

// slotRetry is how soon a request that found its issuer's slots taken
// looks again, plus up to as much jitter so that waiting requests spread.
const slotRetry = time.Second

// issuerSlots caps how much of one tenant is worked on at once, so that a
// tenant whose endpoints hang holds at most that many workers of a shared
// pool; its other work is requeued instead of waiting in a worker
// (docs/security.md, "Isolation"). Keys are tenants (see tenantOf).
type issuerSlots struct {
	limit int

	mu    sync.Mutex
	inUse map[types.NamespacedName]int
}

// newIssuerSlots returns slots of limit per issuer; limit < 1 means 1.
func newIssuerSlots(limit int) *issuerSlots {
	return &issuerSlots{limit: max(limit, 1), inUse: map[types.NamespacedName]int{}}
}

// acquire takes a slot of the issuer key without waiting. It returns a
// release function and true, or false when all of the issuer's slots are
// taken. A nil *issuerSlots has no cap.
func (s *issuerSlots) acquire(key types.NamespacedName) (release func(), ok bool) {
	if s == nil {
		return func() {}, true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inUse[key] >= s.limit {
		return nil, false
	}
	s.inUse[key]++
	var once sync.Once
	return func() { once.Do(func() { s.release(key) }) }, true
}

func (s *issuerSlots) release(key types.NamespacedName) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inUse[key]--; s.inUse[key] <= 0 {
		delete(s.inUse, key)
	}
}

// full reports whether every slot of key is taken; never for a nil
// *issuerSlots.
func (s *issuerSlots) full(key types.NamespacedName) bool {
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inUse[key] >= s.limit
}

// slotWait is the requeue delay of a request that found no free slot.
func slotWait() time.Duration {
	return slotRetry + rand.N(slotRetry)
}

// tenantOf is the slot key of an issuer key: the namespace of a PCAIssuer
// (a tenant gains nothing by creating more issuers), or the name of a
// PCAClusterIssuer (cluster-scoped, an admin's; each is its own tenant).
func tenantOf(issuer types.NamespacedName) types.NamespacedName {
	if issuer.Namespace != "" {
		return types.NamespacedName{Namespace: issuer.Namespace}
	}
	return issuer
}
