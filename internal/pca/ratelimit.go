package pca

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/time/rate"
)

// errBurstZero is returned when a finite limiter has burst 0: such a
// limiter lets no request through, ever.
var errBurstZero = errors.New("rate limiter has burst 0 and a finite rate, so it lets no request through")

// waitTurn blocks until lim lets one more request through, or ctx ends.
// A nil lim never blocks.
//
// The errors keep the context's meaning so IsRetryable reads them right: a
// ctx canceled while waiting wraps context.Canceled (not retryable); a ctx
// whose deadline comes, or would come, before the next turn wraps
// context.DeadlineExceeded (retryable: the same call fits a later turn).
// rate.Limiter.Wait reports the second case up front with an error that
// wraps nothing, hence the mapping.
func waitTurn(ctx context.Context, lim *rate.Limiter) error {
	if lim == nil {
		return nil
	}
	if lim.Burst() < 1 && lim.Limit() != rate.Inf {
		return errBurstZero
	}
	err := lim.Wait(ctx)
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("waiting for the rate limiter: %w", ctx.Err())
	default:
		// Burst was checked above, so Wait refused because the next
		// turn is after ctx's deadline.
		return fmt.Errorf("waiting for the rate limiter: next turn is after the deadline (%v): %w", err, context.DeadlineExceeded)
	}
}
