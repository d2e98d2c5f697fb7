package controller

import (
	"context"
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/internal/signer"
)

// errConflict: the object changed since it was read; read it again.
var errConflict = errors.New("the object changed since it was read")

// conflictRetry is how soon a request whose marker write met a conflict is
// read again: someone else just wrote it, so a fresh read will differ.
const conflictRetry = 100 * time.Millisecond

// markerTime returns the in-flight marker's time, zero when absent or
// unreadable (an unreadable marker is treated as absent: the next write
// replaces it).
func markerTime(annotations map[string]string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, annotations[AnnotationIssuanceStarted])
	if err != nil {
		return time.Time{}
	}
	return t
}

// markInFlight writes the in-flight marker (time now) on a request with an
// optimistic lock, so that two writers cannot both believe they own the
// issuance. A conflict is errConflict; other errors are retryable.
func markInFlight(ctx context.Context, c client.Client, obj client.Object, now time.Time) error {
	before := obj.DeepCopyObject().(client.Object)
	annotations := obj.GetAnnotations()
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations[AnnotationIssuanceStarted] = now.UTC().Format(time.RFC3339Nano)
	obj.SetAnnotations(annotations)
	err := c.Patch(ctx, obj, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{}))
	switch {
	case apierrors.IsConflict(err):
		return errConflict
	case err != nil:
		return &signer.RetryableError{Err: fmt.Errorf("writing the in-flight marker: %w", err)}
	}
	return nil
}
