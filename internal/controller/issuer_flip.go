package controller

import (
	"context"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/signer"
)

// markIssuerNotReady records an issuer fault found while signing
// (credentials refused, store or template gone) on the issuer, so that its
// other requests wait instead of calling the PCA. The status change wakes
// the issuer reconciler, which checks again and turns the issuer Ready once
// the cause is gone.
func markIssuerNotReady(ctx context.Context, c client.Client, iss issuerObject, cause *signer.IssuerError) error {
	before := iss.DeepCopyObject().(issuerObject)
	reason := cause.Reason
	if reason == "" {
		reason = v1alpha1.ReasonUnreachable
	}
	changed := meta.SetStatusCondition(&iss.GetStatus().Conditions, metav1.Condition{
		Type: v1alpha1.ConditionReady, Status: metav1.ConditionFalse, Reason: reason,
		Message: "found while signing: " + cause.Error(), ObservedGeneration: iss.GetGeneration(),
	})
	if !changed {
		return nil
	}
	return client.IgnoreNotFound(c.Status().Patch(ctx, iss, client.MergeFrom(before)))
}
