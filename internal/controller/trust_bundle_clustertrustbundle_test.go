package controller

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	fakediscovery "k8s.io/client-go/discovery/fake"
	clienttesting "k8s.io/client-go/testing"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

func fakeDiscovery(groupVersions ...string) *fakediscovery.FakeDiscovery {
	fake := &clienttesting.Fake{}
	for _, gv := range groupVersions {
		fake.Resources = append(fake.Resources, &metav1.APIResourceList{GroupVersion: gv,
			APIResources: []metav1.APIResource{{Name: "clustertrustbundles", Kind: "ClusterTrustBundle"}}})
	}
	return &fakediscovery.FakeDiscovery{Fake: fake}
}

// TestClusterTrustBundleDiscovery: the newest served version is used;
// none served is "" (ConfigMaps only); the answer is kept for the
// interval; a failed discovery keeps the last answer and asks again.
func TestClusterTrustBundleDiscovery(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	ctx := context.Background()
	for _, tc := range []struct {
		served []string
		want   string
	}{
		{[]string{"certificates.k8s.io/v1beta1", "certificates.k8s.io/v1"}, "v1"},
		{[]string{"certificates.k8s.io/v1beta1"}, "v1beta1"},
		{[]string{"certificates.k8s.io/v1alpha1"}, ""},
		{nil, ""},
	} {
		d := &ctbDiscovery{client: fakeDiscovery(tc.served...), interval: time.Minute}
		if got := d.served(ctx, now); got != tc.want {
			t.Errorf("served %v: got %q, want %q", tc.served, got, tc.want)
		}
	}

	fake := fakeDiscovery("certificates.k8s.io/v1")
	d := &ctbDiscovery{client: fake, interval: time.Minute}
	d.served(ctx, now)
	calls := len(fake.Actions())
	if d.served(ctx, now.Add(30*time.Second)) != "v1" || len(fake.Actions()) != calls {
		t.Errorf("discovery asked again within the interval (%d calls, then %d)", calls, len(fake.Actions()))
	}
	fake.PrependReactor("get", "resource", func(clienttesting.Action) (bool, runtime.Object, error) {
		return true, nil, errors.New("connection refused")
	})
	if got := d.served(ctx, now.Add(2*time.Minute)); got != "v1" {
		t.Errorf("after a failed discovery: %q, want the last answer", got)
	}
	if !d.checked.Equal(now) {
		t.Errorf("a failed discovery counted as a check")
	}
}

// TestClusterTrustBundleNaming: the name is the signer name with '/' as
// ':' and the suffix; a name too long is reported, not written.
func TestClusterTrustBundleNaming(t *testing.T) {
	iss := bundleIssuer("team-a", "web", 0)
	tgt := &clusterTrustBundleTarget{signerName: signerNameOf(kindIssuer, iss)}
	if got := tgt.name(); got != "pcaissuers.nhnpca.issuer.dev:team-a.web:ca" {
		t.Errorf("name = %q", got)
	}
	if p := tgt.nameProblem(); p != "" {
		t.Errorf("a valid name reported: %s", p)
	}
	long := &clusterTrustBundleTarget{signerName: SignerPrefixClusterIssuer + strings.Repeat("a", 230)}
	if p := long.nameProblem(); !strings.Contains(p, "shorten the issuer's name") {
		t.Errorf("a name over 253 characters: %q", p)
	}
}

// TestBundleOwnership: an object is the issuer's when labelled for its
// kind and named by owner reference or label; a ClusterTrustBundle of a
// PCAIssuer whose name cannot be a label value is recognised by its
// labels alone.
func TestBundleOwnership(t *testing.T) {
	iss := bundleIssuer("ns", "pca", 0)
	obj := func(labels map[string]string, owners ...metav1.OwnerReference) *metav1.PartialObjectMetadata {
		return &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Labels: labels, OwnerReferences: owners}}
	}
	labelled := bundleLabels(kindIssuer, "pca")
	kindOnly := map[string]string{v1alpha1.LabelTrustBundle: "true", v1alpha1.LabelIssuerKind: kindIssuer}
	owner := bundleOwnerReference(iss, kindIssuer)
	longName := strings.Repeat("x", 70)
	for _, tc := range []struct {
		name string
		obj  *metav1.PartialObjectMetadata
		who  string
		want bool
	}{
		{"labelled", obj(labelled), "pca", true},
		{"owner reference", obj(kindOnly, owner), "pca", true},
		{"no labels", obj(nil, owner), "pca", false},
		{"another issuer's", obj(bundleLabels(kindIssuer, "other")), "pca", false},
		{"another kind's", obj(bundleLabels(kindClusterIssuer, "pca")), "pca", false},
		{"kind label only", obj(kindOnly), "pca", false},
	} {
		if got := ownsBundleObject(tc.obj, kindIssuer, tc.who); got != tc.want {
			t.Errorf("%s: owned = %v, want %v", tc.name, got, tc.want)
		}
	}
	if _, ok := bundleLabels(kindIssuer, longName)[v1alpha1.LabelIssuerName]; ok {
		t.Errorf("a name of 70 characters became a label value")
	}
	if !ownsClusterTrustBundle(obj(kindOnly), kindIssuer, longName) {
		t.Errorf("the ClusterTrustBundle of a long-named PCAIssuer is not recognised")
	}
	if ownsClusterTrustBundle(obj(kindOnly), kindIssuer, "pca") {
		t.Errorf("a ClusterTrustBundle without a name label is taken by an issuer whose name fits a label")
	}
}
