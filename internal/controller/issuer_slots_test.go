package controller

import (
	"sync"
	"testing"

	"k8s.io/apimachinery/pkg/types"
)

func TestIssuerSlotsCapEachIssuerApart(t *testing.T) {
	s := newIssuerSlots(2)
	a, b := types.NamespacedName{Namespace: "t", Name: "a"}, types.NamespacedName{Namespace: "t", Name: "b"}
	ra1, ok1 := s.acquire(a)
	_, ok2 := s.acquire(a)
	_, ok3 := s.acquire(a)
	if !ok1 || !ok2 || ok3 {
		t.Fatalf("acquire a three times = %v %v %v, want true true false", ok1, ok2, ok3)
	}
	if _, ok := s.acquire(b); !ok {
		t.Fatal("issuer b found no slot while a is full")
	}
	ra1()
	ra1() // a second release of the same slot is a no-op
	if got := s.held(a); got != 1 {
		t.Fatalf("held(a) = %d after one release, want 1", got)
	}
	if _, ok := s.acquire(a); !ok {
		t.Fatal("no slot for a after a release")
	}
}

func TestIssuerSlotsNeverExceedTheLimitConcurrently(t *testing.T) {
	s := newIssuerSlots(3)
	key := types.NamespacedName{Name: "a"}
	var mu sync.Mutex
	maxSeen := 0
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			release, ok := s.acquire(key)
			if !ok {
				return
			}
			mu.Lock()
			maxSeen = max(maxSeen, s.held(key))
			mu.Unlock()
			release()
		}()
	}
	wg.Wait()
	if maxSeen > 3 || s.held(key) != 0 {
		t.Fatalf("max held = %d (limit 3), held after all = %d", maxSeen, s.held(key))
	}
}

func TestTenantOf(t *testing.T) {
	a := tenantOf(types.NamespacedName{Namespace: "team", Name: "a"})
	b := tenantOf(types.NamespacedName{Namespace: "team", Name: "b"})
	c1 := tenantOf(types.NamespacedName{Name: "cluster-1"})
	c2 := tenantOf(types.NamespacedName{Name: "cluster-2"})
	if a != b {
		t.Errorf("two PCAIssuers of one namespace are tenants %v and %v, want one", a, b)
	}
	if c1 == c2 || c1 == a {
		t.Errorf("PCAClusterIssuers are tenants %v and %v (namespace's %v), want each its own", c1, c2, a)
	}
}

// held returns how many slots of the issuer key are taken.
func (s *issuerSlots) held(key types.NamespacedName) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inUse[key]
}
