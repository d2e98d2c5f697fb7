package controller

import (
	"context"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

// TestTrustBundleReadFailureTold: a ConfigMap the manager may not read
// (RBAC) stops the bundle from being written, and the issuer is told with
// a Warning event, not only a log line.
func TestTrustBundleReadFailureTold(t *testing.T) {
	fx := newRotationFixture(t)
	iss := bundleIssuer("ns", "pca", 0)
	f := newBundleFixture(t, fx.now, iss)
	forbidden := interceptor.NewClient(f.client.(client.WithWatch), interceptor.Funcs{Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
		if _, ok := obj.(*corev1.ConfigMap); ok {
			return apierrors.NewForbidden(schema.GroupResource{Resource: "configmaps"}, key.Name, nil)
		}
		return c.Get(ctx, key, obj, opts...)
	}})
	f.r.apiReader = forbidden
	if err := f.client.Get(t.Context(), client.ObjectKeyFromObject(iss), iss); err != nil {
		t.Fatal(err)
	}
	f.r.chains.put(iss, []storeCAs{fx.chainA()}, true)
	if _, err := f.r.Reconcile(t.Context(), ctrl.Request{NamespacedName: client.ObjectKeyFromObject(iss)}); !apierrors.IsForbidden(err) {
		t.Fatalf("Reconcile error = %v, want the read's (retried with backoff)", err)
	}
	ev := f.events()
	if len(ev) != 1 || !strings.HasPrefix(ev[0], "Warning "+v1alpha1.ReasonTrustBundleFailed) || !strings.Contains(ev[0], "ns/pca-ca") {
		t.Errorf("events = %v, want one %s naming the ConfigMap", ev, v1alpha1.ReasonTrustBundleFailed)
	}
}

// TestTrustBundleRefusesAnotherIssuersConfigMap: a ConfigMap published by
// another issuer of the namespace (its labels and owner) is not taken
// over by an issuer whose spec names it.
func TestTrustBundleRefusesAnotherIssuersConfigMap(t *testing.T) {
	fx := newRotationFixture(t)
	iss := bundleIssuer("ns", "pca", 0)
	theirs := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "pca-ca",
		Labels:          map[string]string{v1alpha1.LabelTrustBundle: "true", v1alpha1.LabelIssuerKind: kindIssuer, v1alpha1.LabelIssuerName: "other"},
		OwnerReferences: []metav1.OwnerReference{{APIVersion: v1alpha1.GroupVersion.String(), Kind: kindIssuer, Name: "other", UID: "uid-other"}}},
		Data: map[string]string{"ca.crt": "theirs"}}
	f := newBundleFixture(t, fx.now, iss, theirs)
	f.reconcile(iss, fx.chainA())
	if cm := f.configMap("ns", "pca-ca"); cm.Data["ca.crt"] != "theirs" || cm.Labels[v1alpha1.LabelIssuerName] != "other" {
		t.Errorf("another issuer's ConfigMap was written: %+v", cm)
	}
	if ev := f.events(); len(ev) != 1 || !strings.HasPrefix(ev[0], "Warning "+v1alpha1.ReasonTrustBundleConflict) {
		t.Errorf("events = %v, want one %s", ev, v1alpha1.ReasonTrustBundleConflict)
	}
}

// TestTrustBundleInUseReadsChangedSecretsOnly: while a previous root is
// kept for certificates in use, each pass (every Certificate change, every
// issuer check) decides again; only the Secrets that changed since the
// last pass are read past the cache, not all of them: a wave of N
// renewals must not cost N×N Secret reads.
func TestTrustBundleInUseReadsChangedSecretsOnly(t *testing.T) {
	fx := newRotationFixture(t)
	iss := bundleIssuer("ns", "pca", 0)
	objs := []client.Object{iss}
	const n = 20
	for i := range n {
		name := fmt.Sprintf("web-%d", i)
		objs = append(objs, certificateOf("ns", name, "pca"), tlsSecret("ns", name+"-tls", fx.leafA, fx.interA))
	}
	f := newBundleFixture(t, fx.now, objs...)
	reads := 0
	f.r.apiReader = interceptor.NewClient(f.client.(client.WithWatch), interceptor.Funcs{Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
		if _, ok := obj.(*corev1.Secret); ok {
			reads++
		}
		return c.Get(ctx, key, obj, opts...)
	}})
	f.reconcile(iss, fx.chainA())
	f.reconcile(iss, fx.chainB()) // rotated: root A past its window (0), in use
	if got := decodeBundle(f.configMap("ns", "pca-ca").Data["ca.crt"]); !sameNames(got, "Intermediate B", "Root B", "Intermediate A", "Root A") {
		t.Fatalf("bundle = %v, want root A kept while in use", names(got))
	}
	if reads != n {
		t.Errorf("%d Secret reads for the first decision, want %d", reads, n)
	}
	reads = 0
	for range 5 {
		f.reconcile(iss, fx.chainB())
	}
	if reads != 0 {
		t.Errorf("%d Secret reads for 5 passes with no Secret changed, want 0", reads)
	}
	// One Certificate renewed under root B: only its Secret is read.
	if err := f.client.Update(t.Context(), tlsSecret("ns", "web-0-tls", fx.leafB, fx.interB)); err != nil {
		t.Fatal(err)
	}
	f.reconcile(iss)
	if reads != 1 {
		t.Errorf("%d Secret reads after one Secret changed, want 1", reads)
	}
	// All renewed: root A goes.
	for i := 1; i < n; i++ {
		if err := f.client.Update(t.Context(), tlsSecret("ns", fmt.Sprintf("web-%d-tls", i), fx.leafB, fx.interB)); err != nil {
			t.Fatal(err)
		}
	}
	f.reconcile(iss)
	if got := decodeBundle(f.configMap("ns", "pca-ca").Data["ca.crt"]); !sameNames(got, "Intermediate B", "Root B") {
		t.Errorf("after every renewal the bundle = %v, want root A gone", names(got))
	}
}
