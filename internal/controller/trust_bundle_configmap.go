package controller

import (
	"context"
	"crypto/x509"
	"fmt"
	"maps"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

// bundleTarget is one object a trust bundle is published in: a ConfigMap
// or a ClusterTrustBundle.
type bundleTarget interface {
	// String names the object for events and logs.
	String() string
	// load reads the object. It returns what it holds (nil when it does
	// not exist), or a *bundleConflict when it exists and is not the
	// issuer's.
	load(ctx context.Context) (*publishedBundle, error)
	// store writes pemBundle and the retired records; it returns the
	// object written, nil when it held them already.
	store(ctx context.Context, pemBundle string, retired map[string]time.Time) (client.Object, error)
}

// publishedBundle is what a published object holds.
type publishedBundle struct {
	certs   []*x509.Certificate
	retired map[string]time.Time
}

// bundleConflict: the object the bundle goes to exists and is not the
// issuer's; it is left alone (reason TrustBundleConflict).
type bundleConflict struct{ what string }

func (e *bundleConflict) Error() string {
	return fmt.Sprintf("%s exists and is not this issuer's (it lacks the label %s=true and an owner reference or %s label naming the issuer): it is left alone; delete it, or choose another name",
		e.what, v1alpha1.LabelTrustBundle, v1alpha1.LabelIssuerName)
}

// configMapTarget publishes a bundle in spec.trustBundle.configMap, in the
// issuer's namespace (the cluster resource namespace for a
// PCAClusterIssuer). ConfigMaps are not cached (a cluster's ConfigMaps
// can be many and large): the object is read past the cache.
type configMapTarget struct {
	c         client.Client
	apiReader client.Reader
	iss       issuerObject
	kind      string
	key       types.NamespacedName
	dataKey   string
	existing  *corev1.ConfigMap
}

func (t *configMapTarget) String() string {
	return fmt.Sprintf("ConfigMap %s key %s", t.key, t.dataKey)
}

func (t *configMapTarget) load(ctx context.Context) (*publishedBundle, error) {
	var cm corev1.ConfigMap
	err := t.apiReader.Get(ctx, t.key, &cm)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading ConfigMap %s: %w", t.key, err)
	}
	if !ownsBundleObject(&cm, t.kind, t.iss.GetName()) {
		return nil, &bundleConflict{what: "ConfigMap " + t.key.String()}
	}
	t.existing = &cm
	out := &publishedBundle{retired: decodeRetired(cm.Annotations[v1alpha1.AnnotationRetiredCAs])}
	// Every key is read: after a change of spec.trustBundle.configMap.key
	// the previous bundle is under the old one.
	keys := slices.Sorted(maps.Keys(cm.Data))
	if _, ok := cm.Data[t.dataKey]; ok {
		keys = append([]string{t.dataKey}, slices.DeleteFunc(keys, func(k string) bool { return k == t.dataKey })...)
	}
	for _, k := range keys {
		out.certs = append(out.certs, decodeBundle(cm.Data[k])...)
	}
	return out, nil
}

func (t *configMapTarget) store(ctx context.Context, pemBundle string, retired map[string]time.Time) (client.Object, error) {
	labels := bundleLabels(t.kind, t.iss.GetName())
	owner := bundleOwnerReference(t.iss, t.kind)
	if t.existing == nil {
		cm := &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Namespace: t.key.Namespace, Name: t.key.Name, Labels: labels,
				OwnerReferences: []metav1.OwnerReference{owner},
				Annotations:     withAnnotation(nil, v1alpha1.AnnotationRetiredCAs, encodeRetired(retired))},
			Data: map[string]string{t.dataKey: pemBundle},
		}
		if err := t.c.Create(ctx, cm); err != nil {
			return nil, fmt.Errorf("creating ConfigMap %s: %w", t.key, err)
		}
		return cm, nil
	}
	cm := t.existing.DeepCopy()
	cm.Labels = withLabels(cm.Labels, labels)
	cm.OwnerReferences = withOwner(cm.OwnerReferences, owner)
	cm.Annotations = withAnnotation(cm.Annotations, v1alpha1.AnnotationRetiredCAs, encodeRetired(retired))
	cm.Data = map[string]string{t.dataKey: pemBundle}
	cm.BinaryData = nil
	if maps.Equal(cm.Labels, t.existing.Labels) && maps.Equal(cm.Annotations, t.existing.Annotations) &&
		maps.Equal(cm.Data, t.existing.Data) && len(t.existing.BinaryData) == 0 && sameOwners(cm.OwnerReferences, t.existing.OwnerReferences) {
		return nil, nil
	}
	// An update on the object as read: a concurrent change is a conflict,
	// and the next pass reads it again.
	if err := t.c.Update(ctx, cm); err != nil {
		return nil, fmt.Errorf("updating ConfigMap %s: %w", t.key, err)
	}
	return cm, nil
}

// sameOwners reports whether two owner reference lists are equal.
func sameOwners(a, b []metav1.OwnerReference) bool {
	return slices.EqualFunc(a, b, func(x, y metav1.OwnerReference) bool {
		return x.APIVersion == y.APIVersion && x.Kind == y.Kind && x.Name == y.Name && x.UID == y.UID &&
			(x.Controller != nil && *x.Controller) == (y.Controller != nil && *y.Controller)
	})
}

// deleteStaleConfigMaps deletes the issuer's published ConfigMaps in ns
// other than keep ("" deletes all): after spec.trustBundle.configMap
// changed or was removed. Only ConfigMaps labelled for the issuer are
// listed, past the cache.
func deleteStaleConfigMaps(ctx context.Context, c client.Client, apiReader client.Reader, ns, kind, name, keep string) error {
	var list corev1.ConfigMapList
	if err := apiReader.List(ctx, &list, client.InNamespace(ns),
		client.MatchingLabels{v1alpha1.LabelTrustBundle: "true", v1alpha1.LabelIssuerKind: kind}); err != nil {
		return fmt.Errorf("listing trust bundle ConfigMaps in %s: %w", ns, err)
	}
	for i := range list.Items {
		cm := &list.Items[i]
		if cm.Name == keep || !ownsBundleObject(cm, kind, name) {
			continue
		}
		if err := client.IgnoreNotFound(c.Delete(ctx, cm, client.Preconditions{UID: &cm.UID})); err != nil {
			return fmt.Errorf("deleting ConfigMap %s/%s: %w", ns, cm.Name, err)
		}
	}
	return nil
}
