package trust

import (
	"context"
	"crypto/x509"
	"fmt"
	"testing"
	"time"

	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/controller"
	"github.com/nhnpca/pca-issuer/test/harness"
)

// TestClusterIssuerBundle: a PCAClusterIssuer publishes its bundle in the
// cluster resource namespace and in the ClusterTrustBundle of its signer
// name, both owned by it (a cluster-scoped owner, which the garbage
// collector honours for namespaced dependents too); deleting the issuer
// deletes both (the test control plane runs no garbage collector, so this
// is the manager's own clean-up).
func TestClusterIssuerBundle(t *testing.T) {
	ctx := t.Context()
	ns := h.ClusterResourceNamespace
	name := fmt.Sprintf("cluster-pca-%d", nsCounter.Add(1)) // cluster-wide: unique per run
	create(t, h.CredentialsSecret(ns, name+"-credentials"))
	spec := h.IssuerSpec(name + "-credentials")
	spec.TrustBundle = &v1alpha1.TrustBundle{ConfigMap: &v1alpha1.ConfigMapKeySelector{Name: name + "-ca", Key: "bundle.pem"}}
	iss := &v1alpha1.PCAClusterIssuer{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: spec}
	create(t, iss)
	if err := h.WaitFor(ctx, iss, harness.WaitTimeout, "Ready", func() bool { return iss.Status.IsReady(iss.Generation) }); err != nil {
		t.Fatal(err)
	}
	pc, err := h.PCAClient()
	if err != nil {
		t.Fatal(err)
	}
	root, inter := storeCA(t, pc, h.PCA.RootCertID), storeCA(t, pc, h.PCA.IntermediateCertID)

	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name + "-ca"}}
	err = h.WaitFor(ctx, cm, harness.WaitTimeout, "holding the root and intermediate under bundle.pem", func() bool {
		return holds(parsePEM(t, []byte(cm.Data["bundle.pem"])), root, inter)
	})
	if err != nil {
		t.Fatalf("%v; events: %s", err, issuerEvents(t, ns))
	}
	if len(cm.OwnerReferences) != 1 || cm.OwnerReferences[0].Kind != "PCAClusterIssuer" || cm.OwnerReferences[0].UID != iss.UID {
		t.Errorf("owner references = %+v", cm.OwnerReferences)
	}
	if cm.Labels[v1alpha1.LabelIssuerKind] != "PCAClusterIssuer" || cm.Labels[v1alpha1.LabelIssuerName] != name {
		t.Errorf("labels = %v", cm.Labels)
	}

	ctb := &certificatesv1.ClusterTrustBundle{ObjectMeta: metav1.ObjectMeta{Name: "pcaclusterissuers.nhnpca.issuer.dev:" + name + ":ca"}}
	err = h.WaitFor(ctx, ctb, harness.WaitTimeout, "holding the ConfigMap's bundle", func() bool { return ctb.Spec.TrustBundle == cm.Data["bundle.pem"] })
	if err != nil {
		t.Fatal(err)
	}
	if ctb.Spec.SignerName != controller.SignerPrefixClusterIssuer+name || len(ctb.OwnerReferences) != 1 || ctb.OwnerReferences[0].UID != iss.UID {
		t.Errorf("ClusterTrustBundle signerName %q, owner references %+v", ctb.Spec.SignerName, ctb.OwnerReferences)
	}

	if err := h.Client.Delete(ctx, iss); err != nil {
		t.Fatal(err)
	}
	waitGone(t, cm)
	waitGone(t, ctb)
}

// TestDeletedIssuerUnpublishes: deleting a PCAIssuer deletes its
// ClusterTrustBundle, which a namespaced issuer cannot own, and its
// ConfigMap; removing spec.trustBundle does the same for a live issuer.
func TestDeletedIssuerUnpublishes(t *testing.T) {
	ctx := t.Context()
	ns := newNamespace(t)
	gone := newBundleIssuer(t, ns, "gone", "gone-ca", nil)
	optOut := newBundleIssuer(t, ns, "opt-out", "opt-out-ca", nil)
	pc, err := h.PCAClient()
	if err != nil {
		t.Fatal(err)
	}
	root := storeCA(t, pc, h.PCA.RootCertID)
	for _, name := range []string{"gone-ca", "opt-out-ca"} {
		waitBundle(t, ns, name, "published", func(c []*x509.Certificate) bool { return holds(c, root) })
	}
	goneCTB := &certificatesv1.ClusterTrustBundle{ObjectMeta: metav1.ObjectMeta{Name: clusterTrustBundleName(gone)}}
	optOutCTB := &certificatesv1.ClusterTrustBundle{ObjectMeta: metav1.ObjectMeta{Name: clusterTrustBundleName(optOut)}}
	for _, ctb := range []*certificatesv1.ClusterTrustBundle{goneCTB, optOutCTB} {
		if err := h.WaitFor(ctx, ctb, harness.WaitTimeout, "published", func() bool { return ctb.Spec.TrustBundle != "" }); err != nil {
			t.Fatal(err)
		}
	}

	if err := h.Client.Delete(ctx, gone); err != nil {
		t.Fatal(err)
	}
	if err := h.Client.Get(ctx, client.ObjectKeyFromObject(optOut), optOut); err != nil {
		t.Fatal(err)
	}
	optOut.Spec.TrustBundle = nil
	if err := h.Client.Update(ctx, optOut); err != nil {
		t.Fatal(err)
	}
	waitGone(t, goneCTB)
	waitGone(t, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "gone-ca"}})
	waitGone(t, optOutCTB)
	waitGone(t, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "opt-out-ca"}})
}

// TestIssuerDeletedWhileManagerDown: a PCAIssuer deleted while no manager
// runs leaves its ClusterTrustBundle, which it could not own; the next
// manager finds it at start and deletes it.
func TestIssuerDeletedWhileManagerDown(t *testing.T) {
	ctx := t.Context()
	ns := newNamespace(t)
	iss := newBundleIssuer(t, ns, "pca", "pca-ca", nil)
	ctb := &certificatesv1.ClusterTrustBundle{ObjectMeta: metav1.ObjectMeta{Name: clusterTrustBundleName(iss)}}
	if err := h.WaitFor(ctx, ctb, harness.WaitTimeout, "published", func() bool { return ctb.Spec.TrustBundle != "" }); err != nil {
		t.Fatal(err)
	}
	if err := h.StopManager(); err != nil {
		t.Fatal(err)
	}
	if err := h.Client.Delete(ctx, iss); err != nil {
		t.Fatal(err)
	}
	if err := h.Client.Get(ctx, client.ObjectKeyFromObject(ctb), ctb); err != nil {
		t.Fatalf("with no manager running the ClusterTrustBundle should still be there: %v", err)
	}
	if err := h.StartManager(managerOptions); err != nil {
		t.Fatal(err)
	}
	waitGone(t, ctb)
}

// waitGone waits for obj to be deleted.
func waitGone(t *testing.T, obj client.Object) {
	t.Helper()
	key := client.ObjectKeyFromObject(obj)
	var lastErr error
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, harness.WaitTimeout, true, func(ctx context.Context) (bool, error) {
		lastErr = h.Client.Get(ctx, key, obj)
		return apierrors.IsNotFound(lastErr), nil
	})
	if err != nil {
		t.Fatalf("%T %s was not deleted (last read: %v): %v", obj, key, lastErr, err)
	}
}
