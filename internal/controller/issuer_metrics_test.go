package controller

import (
	"crypto/x509"
	"encoding/pem"
	"maps"
	"net/http/httptest"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/emulator"
	"github.com/nhnpca/pca-issuer/internal/metrics"
)

// TestReconcileSetsTheIssuerReadyGauge: each check of an issuer against
// the emulator sets pca_issuer_issuer_ready to 1 when Ready and to 0 when
// not, and deleting the issuer drops the series.
func TestReconcileSetsTheIssuerReadyGauge(t *testing.T) {
	c, r, iss, ids := emulatorIssuer(t)
	req := ctrl.Request{NamespacedName: client.ObjectKeyFromObject(iss)}
	const family = "pca_issuer_issuer_ready"
	label := metrics.IssuerLabel(iss.Namespace, iss.Name)
	gauge := func(t *testing.T) float64 {
		t.Helper()
		v, ok := gaugeOf(t, family, label)
		if !ok {
			t.Fatalf("no %s series for %s", family, label)
		}
		return v
	}

	if _, err := r.Reconcile(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	if got := gauge(t); got != 1 {
		t.Errorf("%s after a check that found the issuer Ready = %v, want 1", family, got)
	}

	// An unknown store turns the issuer not Ready.
	if err := c.Get(t.Context(), req.NamespacedName, iss); err != nil {
		t.Fatal(err)
	}
	iss.Spec.CAStoreID = ids.CAStoreID + 100
	iss.Generation++
	if err := c.Update(t.Context(), iss); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Reconcile(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	if err := c.Get(t.Context(), req.NamespacedName, iss); err != nil {
		t.Fatal(err)
	}
	if cond := iss.Status.Conditions; len(cond) != 1 || cond[0].Status != metav1.ConditionFalse {
		t.Fatalf("conditions %v, want Ready False", cond)
	}
	if got := gauge(t); got != 0 {
		t.Errorf("%s after a check that found the issuer not Ready = %v, want 0", family, got)
	}

	// Deleted: the series goes with the issuer's others.
	if err := c.Delete(t.Context(), iss); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Reconcile(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	if v, ok := gaugeOf(t, family, label); ok {
		t.Errorf("%s of the deleted issuer still served (%v), want no series", family, v)
	}
}

// emulatorIssuer returns an issuer reconciler over a fake API server
// holding PCAIssuer team/ready-gauge, whose store and template are those
// of a bootstrapped emulator served over TLS (a root and an intermediate
// that the template signs with).
func emulatorIssuer(t *testing.T) (client.Client, *IssuerReconciler, *v1alpha1.PCAIssuer, *emulator.BootstrapResult) {
	t.Helper()
	emu, err := emulator.New(emulator.Options{
		AppKey:     "appkey",
		AccessKeys: []emulator.AccessKey{{ID: "admin", Secret: "secret", Role: emulator.RoleAdmin}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := emu.Bootstrap(emulator.BootstrapOptions{KeyAlgorithm: "EC"})
	if err != nil {
		t.Fatal(err)
	}
	server := httptest.NewTLSServer(emu.Handler())
	t.Cleanup(server.Close)
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "creds"}, Data: map[string][]byte{
		v1alpha1.SecretKeyAppKey: []byte("appkey"), v1alpha1.SecretKeyAccessKeyID: []byte("admin"), v1alpha1.SecretKeySecretAccessKey: []byte("secret"),
	}}
	iss := &v1alpha1.PCAIssuer{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "ready-gauge", Generation: 1},
		Spec: v1alpha1.PCAIssuerSpec{URL: server.URL, TokenURL: server.URL, CAStoreID: ids.CAStoreID, TemplateID: ids.TemplateID,
			CredentialsRef: v1alpha1.SecretReference{Name: "creds"},
			CABundle:       pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: server.Certificate().Raw})},
	}
	scheme, err := NewScheme()
	if err != nil {
		t.Fatal(err)
	}
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(secret, iss).WithStatusSubresource(&v1alpha1.PCAIssuer{}).Build()
	r := &IssuerReconciler{
		client: c, clients: newClients(c, c, "cert-manager", UserAgent, endpointPolicyFrom(Options{AllowedNetworks: loopbackNetworks})),
		templates: newTemplateCache(testOpts.IssuerHealthCheckInterval), faults: newIssuerFaults(), pins: newCAPins(), slots: newIssuerSlots(1),
		opts: testOpts, kind: kindIssuer,
		newIssuer: func() issuerObject { return &v1alpha1.PCAIssuer{} },
		newList:   func() client.ObjectList { return &v1alpha1.PCAIssuerList{} },
	}
	return c, r, iss, ids
}

// TestReconcileGaugesEveryCAOfTheChain: after a check, the CA expiry gauge
// holds the notAfter of the root and of the intermediate the template
// signs with, as the PCA API serves them.
func TestReconcileGaugesEveryCAOfTheChain(t *testing.T) {
	_, r, iss, ids := emulatorIssuer(t)
	if _, err := r.Reconcile(t.Context(), ctrl.Request{NamespacedName: client.ObjectKeyFromObject(iss)}); err != nil {
		t.Fatal(err)
	}
	pc, err := r.clients.For(t.Context(), iss)
	if err != nil {
		t.Fatal(err)
	}
	label := metrics.IssuerLabel(iss.Namespace, iss.Name)
	for kind, id := range map[string]int64{metrics.CARoot: ids.RootCertID, metrics.CAIntermediate: ids.IntermediateCertID} {
		detail, err := pc.GetCertificate(t.Context(), ids.CAStoreID, id)
		if err != nil {
			t.Fatal(err)
		}
		block, _ := pem.Decode([]byte(detail.CertificatePem))
		if block == nil {
			t.Fatalf("certificate %d has no PEM", id)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := seriesValue(t, "pca_issuer_ca_not_after_seconds", map[string]string{"issuer": label, "certificate": kind, "subject": cert.Subject.String()})
		if !ok || got != float64(cert.NotAfter.Unix()) {
			t.Errorf("pca_issuer_ca_not_after_seconds of the %s %q = %v (served: %v), want its notAfter %d", kind, cert.Subject, got, ok, cert.NotAfter.Unix())
		}
	}
}

// gaugeOf returns the value of the gauge family's series of issuer as the
// manager's registry serves it, and whether there is one.
func gaugeOf(t *testing.T, family, issuer string) (float64, bool) {
	t.Helper()
	return seriesValue(t, family, map[string]string{"issuer": issuer})
}

// seriesValue returns the value of the gauge family's series with exactly
// these labels as the manager's registry serves it, and whether there is
// one.
func seriesValue(t *testing.T, family string, labels map[string]string) (float64, bool) {
	t.Helper()
	families, err := ctrlmetrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != family {
			continue
		}
		for _, m := range f.GetMetric() {
			got := map[string]string{}
			for _, l := range m.GetLabel() {
				got[l.GetName()] = l.GetValue()
			}
			if maps.Equal(got, labels) {
				return m.GetGauge().GetValue(), true
			}
		}
	}
	return 0, false
}
