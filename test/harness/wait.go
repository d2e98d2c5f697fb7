package harness

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// WaitFor reads obj every 100 ms until cond holds or timeout passes. It
// returns the last object read and an error naming what was awaited.
func (h *Harness) WaitFor(ctx context.Context, obj client.Object, timeout time.Duration, what string, cond func() bool) error {
	key := client.ObjectKeyFromObject(obj)
	var lastErr error
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		if lastErr = h.Client.Get(ctx, key, obj); lastErr != nil {
			return false, nil
		}
		return cond(), nil
	})
	if err != nil {
		return fmt.Errorf("waiting %s for %T %s to be %s (last read error: %v): %w", timeout, obj, key, what, lastErr, err)
	}
	return nil
}
