package trust

import (
	"crypto/x509"
	"testing"

	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/controller"
	"github.com/nhnpca/pca-issuer/test/harness"
)

// TestConfigMapBundle: an issuer with spec.trustBundle.configMap publishes
// its store's root and intermediate, once each although its three
// templates share them, labelled for trust-manager and owned by the
// issuer; the bundle alone verifies a Secret's tls.crt (crypto/x509 and
// openssl); the ClusterTrustBundle of its signer name holds the same
// certificates.
func TestConfigMapBundle(t *testing.T) {
	ns := newNamespace(t)
	iss := newBundleIssuer(t, ns, "pca", "pca-ca", nil)
	pc, err := h.PCAClient()
	if err != nil {
		t.Fatal(err)
	}
	root, inter := storeCA(t, pc, h.PCA.RootCertID), storeCA(t, pc, h.PCA.IntermediateCertID)

	bundle := waitBundle(t, ns, "pca-ca", "holding the store's root and intermediate", func(c []*x509.Certificate) bool { return holds(c, root, inter) })
	if len(bundle) != 2 {
		t.Errorf("bundle holds %v, want the intermediate and the root once each", subjects(bundle))
	}
	cm := &corev1.ConfigMap{}
	if err := h.Client.Get(t.Context(), keyOf(ns, "pca-ca"), cm); err != nil {
		t.Fatal(err)
	}
	if cm.Labels[v1alpha1.LabelTrustBundle] != "true" || cm.Labels[v1alpha1.LabelIssuerKind] != "PCAIssuer" || cm.Labels[v1alpha1.LabelIssuerName] != "pca" {
		t.Errorf("labels = %v", cm.Labels)
	}
	if len(cm.OwnerReferences) != 1 || cm.OwnerReferences[0].UID != iss.UID {
		t.Errorf("owner references = %+v, want the issuer", cm.OwnerReferences)
	}
	// The event is recorded after the write: wait for it.
	waitEvent(t, ns, "Normal TrustBundleUpdated", `added root "`+root.Subject.String()+`"`)

	crt := harness.Certificate(ns, "web", "pca")
	create(t, crt)
	waitCertificateReady(t, crt)
	chain := secretChain(t, crt)
	if _, err := verifyWithBundle(chain[0], bundle); err != nil {
		t.Fatalf("tls.crt does not verify with the bundle alone: %v", err)
	}
	opensslVerify(t, cm.Data[v1alpha1.DefaultTrustBundleKey], chain[0])

	if !clusterTrustBundlesServed(t) {
		t.Fatal("the test API server (Kubernetes 1.37) serves no certificates.k8s.io/v1 ClusterTrustBundles")
	}
	ctb := &certificatesv1.ClusterTrustBundle{ObjectMeta: metav1.ObjectMeta{Name: clusterTrustBundleName(iss)}}
	err = h.WaitFor(t.Context(), ctb, harness.WaitTimeout, "holding the ConfigMap's bundle", func() bool {
		return ctb.Spec.TrustBundle == cm.Data[v1alpha1.DefaultTrustBundleKey]
	})
	if err != nil {
		t.Fatalf("%v; events: %s", err, issuerEvents(t, ns))
	}
	if ctb.Spec.SignerName != controller.SignerPrefixIssuer+ns+".pca" || ctb.Labels[v1alpha1.LabelTrustBundle] != "true" {
		t.Errorf("ClusterTrustBundle signerName %q, labels %v", ctb.Spec.SignerName, ctb.Labels)
	}
}

// TestForeignConfigMapIsLeftAlone: a ConfigMap of the configured name that
// is not the issuer's is not written; a Warning event says why.
func TestForeignConfigMapIsLeftAlone(t *testing.T) {
	ns := newNamespace(t)
	foreign := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "taken"}, Data: map[string]string{"ca.crt": "someone else's"}}
	create(t, foreign)
	newBundleIssuer(t, ns, "pca", "taken", nil)
	waitEvent(t, ns, "Warning TrustBundleConflict", "ConfigMap "+ns+"/taken")
	got := &corev1.ConfigMap{}
	if err := h.Client.Get(t.Context(), keyOf(ns, "taken"), got); err != nil {
		t.Fatal(err)
	}
	if got.Data["ca.crt"] != "someone else's" || len(got.OwnerReferences) != 0 || got.Labels[v1alpha1.LabelTrustBundle] != "" {
		t.Errorf("the foreign ConfigMap was written: %+v", got)
	}
}
