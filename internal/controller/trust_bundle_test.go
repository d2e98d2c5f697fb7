package controller

import (
	"context"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	clocktesting "k8s.io/utils/clock/testing"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

// bundleFixture is a TrustBundleReconciler on the fake client with a fake
// clock; restart builds a new one on the same client, as a restarted
// manager would.
type bundleFixture struct {
	t        *testing.T
	client   client.Client
	clock    *clocktesting.FakePassiveClock
	recorder *events.FakeRecorder
	r        *TrustBundleReconciler
}

func newBundleFixture(t *testing.T, now time.Time, objs ...client.Object) *bundleFixture {
	t.Helper()
	scheme, err := NewScheme()
	if err != nil {
		t.Fatal(err)
	}
	f := &bundleFixture{t: t, clock: clocktesting.NewFakePassiveClock(now), recorder: events.NewFakeRecorder(100),
		client: fake.NewClientBuilder().WithScheme(scheme).WithObjects(objs...).Build()}
	f.restart()
	return f
}

func (f *bundleFixture) restart() {
	f.r = &TrustBundleReconciler{client: f.client, apiReader: f.client, chains: newBundleChains(), recorder: f.recorder, inUse: newInUseMemo(),
		clock: f.clock, opts: testOpts, swept: map[types.NamespacedName]string{}}
}

// reconcile hands chains over for iss, as its check would, and
// reconciles it.
func (f *bundleFixture) reconcile(iss issuerObject, chains ...storeCAs) ctrl.Result {
	f.t.Helper()
	if err := f.client.Get(context.Background(), client.ObjectKeyFromObject(iss), iss); err != nil {
		f.t.Fatal(err)
	}
	if len(chains) > 0 {
		f.r.chains.put(iss, chains, true)
	}
	res, err := f.r.Reconcile(context.Background(), ctrl.Request{NamespacedName: client.ObjectKeyFromObject(iss)})
	if err != nil {
		f.t.Fatalf("reconcile: %v", err)
	}
	return res
}

// events returns the events recorded so far, as "Type Reason Note".
func (f *bundleFixture) events() []string { return drainEvents(f.recorder) }

func (f *bundleFixture) configMap(ns, name string) *corev1.ConfigMap {
	f.t.Helper()
	var cm corev1.ConfigMap
	if err := f.client.Get(context.Background(), types.NamespacedName{Namespace: ns, Name: name}, &cm); err != nil {
		f.t.Fatal(err)
	}
	return &cm
}

func bundleIssuer(ns, name string, retain time.Duration) *v1alpha1.PCAIssuer {
	tb := &v1alpha1.TrustBundle{ConfigMap: &v1alpha1.ConfigMapKeySelector{Name: name + "-ca"}}
	if retain > 0 {
		tb.RetainPreviousRootsFor = &metav1.Duration{Duration: retain}
	}
	return &v1alpha1.PCAIssuer{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: "uid-" + types.UID(name), Generation: 1},
		Spec: v1alpha1.PCAIssuerSpec{CAStoreID: 1, TemplateID: 1, TrustBundle: tb}}
}

func certificateOf(ns, name, issuer string) *cmapi.Certificate {
	return &cmapi.Certificate{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: cmapi.CertificateSpec{SecretName: name + "-tls",
			IssuerRef: cmmeta.IssuerReference{Group: v1alpha1.GroupVersion.Group, Kind: kindIssuer, Name: issuer}}}
}

func tlsSecret(ns, name string, leaf *bundleTestCA, chain ...*bundleTestCA) *corev1.Secret {
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.cert.Raw})
	for _, c := range chain {
		data = append(data, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.cert.Raw})...)
	}
	return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Data: map[string][]byte{corev1.TLSCertKey: data}}
}

// TestTrustBundlePublishesConfigMap: the ConfigMap holds the chain, under
// the default key, labelled and owned by the issuer; one Normal event
// names what was added; a second pass writes nothing.
func TestTrustBundlePublishesConfigMap(t *testing.T) {
	fx := newRotationFixture(t)
	iss := bundleIssuer("ns", "pca", 0)
	f := newBundleFixture(t, fx.now, iss)
	f.reconcile(iss, fx.chainA())
	cm := f.configMap("ns", "pca-ca")
	if got := decodeBundle(cm.Data[v1alpha1.DefaultTrustBundleKey]); !sameNames(got, "Intermediate A", "Root A") {
		t.Fatalf("bundle = %v", names(got))
	}
	if cm.Labels[v1alpha1.LabelTrustBundle] != "true" || cm.Labels[v1alpha1.LabelIssuerKind] != kindIssuer || cm.Labels[v1alpha1.LabelIssuerName] != "pca" {
		t.Errorf("labels = %v", cm.Labels)
	}
	if len(cm.OwnerReferences) != 1 || cm.OwnerReferences[0].UID != iss.UID || cm.OwnerReferences[0].Kind != kindIssuer {
		t.Errorf("owner references = %+v", cm.OwnerReferences)
	}
	ev := f.events()
	if len(ev) != 1 || !strings.HasPrefix(ev[0], "Normal "+v1alpha1.ReasonTrustBundleUpdated) || !strings.Contains(ev[0], `added root "CN=Root A"`) ||
		!strings.Contains(ev[0], "notAfter "+fx.rootA.cert.NotAfter.UTC().Format(time.RFC3339)) {
		t.Errorf("events = %v", ev)
	}
	rv := cm.ResourceVersion
	f.reconcile(iss, fx.chainA())
	if f.configMap("ns", "pca-ca").ResourceVersion != rv || len(f.events()) != 0 {
		t.Errorf("an unchanged bundle was written again")
	}
}

// TestTrustBundleRefusesForeignConfigMap: a ConfigMap of that name that is
// not the issuer's is left as it is, with a Warning event.
func TestTrustBundleRefusesForeignConfigMap(t *testing.T) {
	fx := newRotationFixture(t)
	iss := bundleIssuer("ns", "pca", 0)
	foreign := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "pca-ca"}, Data: map[string]string{"ca.crt": "mine"}}
	f := newBundleFixture(t, fx.now, iss, foreign)
	f.reconcile(iss, fx.chainA())
	if cm := f.configMap("ns", "pca-ca"); cm.Data["ca.crt"] != "mine" || len(cm.Labels) != 0 {
		t.Errorf("the foreign ConfigMap was written: %+v", cm)
	}
	ev := f.events()
	if len(ev) != 1 || !strings.HasPrefix(ev[0], "Warning "+v1alpha1.ReasonTrustBundleConflict) || !strings.Contains(ev[0], "ConfigMap ns/pca-ca") {
		t.Errorf("events = %v", ev)
	}
}

// TestTrustBundleRotationAcrossRestart: after the template moved to a new
// hierarchy, the old root stays while a Certificate's Secret chains to it
// and for the window, across a manager restart (the state is in the
// ConfigMap), and goes once neither holds.
func TestTrustBundleRotationAcrossRestart(t *testing.T) {
	fx := newRotationFixture(t)
	iss := bundleIssuer("ns", "pca", 30*time.Minute)
	crt := certificateOf("ns", "web", "pca")
	f := newBundleFixture(t, fx.now, iss, crt, tlsSecret("ns", "web-tls", fx.leafA, fx.interA))
	f.reconcile(iss, fx.chainA())
	f.events()

	res := f.reconcile(iss, fx.chainB())
	cm := f.configMap("ns", "pca-ca")
	if got := decodeBundle(cm.Data["ca.crt"]); !sameNames(got, "Intermediate B", "Root B", "Intermediate A", "Root A") {
		t.Fatalf("during rotation the bundle = %v", names(got))
	}
	if res.RequeueAfter != 30*time.Minute {
		t.Errorf("RequeueAfter = %v, want the window", res.RequeueAfter)
	}
	if retired := decodeRetired(cm.Annotations[v1alpha1.AnnotationRetiredCAs]); !retired[caFingerprint(fx.rootA.cert)].Equal(fx.now) {
		t.Errorf("retired = %v", retired)
	}
	if ev := f.events(); len(ev) != 1 || !strings.Contains(ev[0], `added root "CN=Root B"`) || strings.Contains(ev[0], "removed") {
		t.Errorf("events = %v", ev)
	}

	// A restart: new in-memory state; the window has passed, but the
	// Secret still holds a certificate of root A.
	f.restart()
	f.clock.SetTime(fx.now.Add(time.Hour))
	f.reconcile(iss, fx.chainB())
	if got := decodeBundle(f.configMap("ns", "pca-ca").Data["ca.crt"]); !sameNames(got, "Intermediate B", "Root B", "Intermediate A", "Root A") {
		t.Fatalf("after the restart, with the old certificate in use, the bundle = %v", names(got))
	}
	if ev := f.events(); len(ev) != 0 {
		t.Errorf("an unchanged bundle recorded events %v", ev)
	}

	// The Certificate renewed under root B: root A goes.
	if err := f.client.Update(context.Background(), tlsSecret("ns", "web-tls", fx.leafB, fx.interB)); err != nil {
		t.Fatal(err)
	}
	f.reconcile(iss)
	cm = f.configMap("ns", "pca-ca")
	if got := decodeBundle(cm.Data["ca.crt"]); !sameNames(got, "Intermediate B", "Root B") {
		t.Fatalf("after renewal the bundle = %v", names(got))
	}
	if _, ok := cm.Annotations[v1alpha1.AnnotationRetiredCAs]; ok {
		t.Errorf("the retired records stayed: %v", cm.Annotations)
	}
	ev := f.events()
	if len(ev) != 1 || !strings.Contains(ev[0], `removed root "CN=Root A"`) || !strings.Contains(ev[0], `removed intermediate "CN=Intermediate A"`) {
		t.Errorf("events = %v", ev)
	}
}

// TestTrustBundleUnpublish: removing spec.trustBundle, or the issuer,
// deletes the issuer's ConfigMap, and only the issuer's.
func TestTrustBundleUnpublish(t *testing.T) {
	fx := newRotationFixture(t)
	iss := bundleIssuer("ns", "pca", 0)
	other := bundleIssuer("ns", "other", 0)
	f := newBundleFixture(t, fx.now, iss, other)
	f.reconcile(iss, fx.chainA())
	f.reconcile(other, fx.chainA())

	iss.Spec.TrustBundle.ConfigMap.Name = "renamed"
	iss.Generation = 2
	if err := f.client.Update(context.Background(), iss); err != nil {
		t.Fatal(err)
	}
	f.reconcile(iss, fx.chainA())
	f.configMap("ns", "renamed")
	if err := f.client.Get(context.Background(), types.NamespacedName{Namespace: "ns", Name: "pca-ca"}, &corev1.ConfigMap{}); !apierrors.IsNotFound(err) {
		t.Errorf("the ConfigMap of the old name: %v, want it deleted", err)
	}

	if err := f.client.Delete(context.Background(), iss); err != nil {
		t.Fatal(err)
	}
	if _, err := f.r.Reconcile(context.Background(), ctrl.Request{NamespacedName: client.ObjectKeyFromObject(iss)}); err != nil {
		t.Fatal(err)
	}
	if err := f.client.Get(context.Background(), types.NamespacedName{Namespace: "ns", Name: "renamed"}, &corev1.ConfigMap{}); !apierrors.IsNotFound(err) {
		t.Errorf("the deleted issuer's ConfigMap: %v, want it deleted", err)
	}
	f.configMap("ns", "other-ca") // another issuer's stays
}
