package controller

import "testing"

func TestPerTenantShareDefaultsToHalfTheWorkers(t *testing.T) {
	for _, tc := range []struct{ reconciles, set, want int }{
		{reconciles: 0, want: 2}, // the default 4 workers
		{reconciles: 1, want: 1},
		{reconciles: 3, want: 1},
		{reconciles: 16, want: 8},
		{reconciles: 16, set: 3, want: 3},
	} {
		got := Options{MaxConcurrentReconciles: tc.reconciles, MaxConcurrentPerTenant: tc.set}.withDefaults().MaxConcurrentPerTenant
		if got != tc.want {
			t.Errorf("reconciles %d, per-tenant %d: got %d, want %d", tc.reconciles, tc.set, got, tc.want)
		}
	}
}
