package controller

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

// orphanSweep is a runnable that, once the manager leads, lists the
// ClusterTrustBundles this project published and hands each one's issuer
// to the trust bundle reconciler, which deletes the bundle of an issuer
// that is gone. A PCAIssuer cannot own its (cluster-scoped)
// ClusterTrustBundle, so the garbage collector does not delete it, and
// one deleted while no manager ran would stay. ConfigMaps need no sweep:
// their owner references hand them to the garbage collector.
type orphanSweep struct {
	apiReader client.Reader
	ctb       *ctbDiscovery
	chains    *bundleChains
	clock     clock.PassiveClock
}

var _ manager.Runnable = (*orphanSweep)(nil)

// Start lists the labelled ClusterTrustBundles once; a failure is logged,
// not fatal: the sweep is a clean-up.
func (s *orphanSweep) Start(ctx context.Context) error {
	v := s.ctb.served(ctx, s.clock.Now())
	if v == "" {
		return nil
	}
	list := &unstructured.UnstructuredList{}
	list.SetAPIVersion("certificates.k8s.io/" + v)
	list.SetKind("ClusterTrustBundleList")
	if err := s.apiReader.List(ctx, list, client.MatchingLabels{v1alpha1.LabelTrustBundle: "true"}); err != nil {
		ctrl.LoggerFrom(ctx).Info("listing the published ClusterTrustBundles failed: those of issuers deleted while no manager ran stay", "error", err.Error())
		return nil
	}
	for i := range list.Items {
		signerName, _, _ := unstructured.NestedString(list.Items[i].Object, "spec", "signerName")
		ref, ours := parseSignerName(signerName)
		if !ours {
			continue
		}
		stub := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Namespace: ref.namespace, Name: ref.name}}
		select {
		case s.chains.ch <- event.GenericEvent{Object: stub}:
		case <-ctx.Done():
			return nil
		}
	}
	return nil
}
