package controller

import (
	"context"
	"encoding/json"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// metadataPatch is a JSON merge patch of an object's annotations (a nil
// value removes the key) and, when finalizers is not nil, of its whole
// finalizer list. With resourceVersion set, the API server refuses it with
// a conflict when the object changed since that version was read.
type metadataPatch struct {
	annotations     map[string]*string
	finalizers      []string
	resourceVersion string
}

// apply sends p to obj's object; obj is updated to the server's answer. A
// conflict is errConflict.
func (p metadataPatch) apply(ctx context.Context, c client.Client, obj client.Object) error {
	meta := map[string]any{}
	if len(p.annotations) > 0 {
		meta["annotations"] = p.annotations
	}
	if p.finalizers != nil {
		meta["finalizers"] = p.finalizers
	}
	if p.resourceVersion != "" {
		meta["resourceVersion"] = p.resourceVersion
	}
	data, err := json.Marshal(map[string]any{"metadata": meta})
	if err != nil {
		return err
	}
	err = c.Patch(ctx, obj, client.RawPatch(types.MergePatchType, data))
	if apierrors.IsConflict(err) {
		return errConflict
	}
	if err != nil {
		return fmt.Errorf("writing the annotations of %s/%s: %w", obj.GetNamespace(), obj.GetName(), err)
	}
	return nil
}

// without returns list without s.
func without(list []string, s string) []string {
	out := make([]string, 0, len(list))
	for _, v := range list {
		if v != s {
			out = append(out, v)
		}
	}
	return out
}

// ptrTo returns a pointer to s, for metadataPatch annotations.
func ptrTo(s string) *string { return &s }
