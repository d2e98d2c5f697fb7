package controller

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	certificatesv1 "k8s.io/api/certificates/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

// TestIssuanceRecordsCertificate: a signed CertificateRequest carries the
// PCA's certificate id and the certificate's serial; the finalizer only
// when its issuer revokes superseded certificates and a Certificate owns
// it (only a Certificate's request is superseded, and only its Certificate
// wakes the reconciler that releases it: a request of its own, as
// csi-driver or istio-csr make, would hang in deletion).
func TestIssuanceRecordsCertificate(t *testing.T) {
	for _, tc := range []struct {
		superseded, owned bool
	}{{false, true}, {true, true}, {true, false}} {
		superseded := tc.superseded && tc.owned
		iss := readyIssuer()
		if tc.superseded {
			iss.Spec.Revocation = &v1alpha1.Revocation{RevokeSuperseded: true}
		}
		cr := approvedCR(t)
		if tc.owned {
			cr.OwnerReferences = []metav1.OwnerReference{{APIVersion: cmapi.SchemeGroupVersion.String(), Kind: cmapi.CertificateKind, Name: "web", UID: "web-uid"}}
		}
		f := newFixture(t, []client.Object{iss, cr})
		if _, err := f.crr.Reconcile(t.Context(), reconcile.Request{NamespacedName: client.ObjectKeyFromObject(cr)}); err != nil {
			t.Fatal(err)
		}
		got := &cmapi.CertificateRequest{}
		if err := f.client.Get(t.Context(), client.ObjectKeyFromObject(cr), got); err != nil {
			t.Fatal(err)
		}
		if len(got.Status.Certificate) == 0 {
			t.Fatalf("revokeSuperseded=%v: not issued", superseded)
		}
		if a := got.Annotations; a[v1alpha1.AnnotationCertificateID] != "100" || a[v1alpha1.AnnotationSerialNumber] != "0A" {
			t.Errorf("revokeSuperseded=%v: annotations %v, want certificate id 100 and serial 0A", superseded, a)
		}
		if hasFinalizer(got) != superseded {
			t.Errorf("revokeSuperseded=%v, owned by a Certificate=%v: finalizers %v", tc.superseded, tc.owned, got.Finalizers)
		}
	}
}

// TestIssuanceRecordsCSR: a signed Kubernetes CSR carries the record too,
// never the finalizer.
func TestIssuanceRecordsCSR(t *testing.T) {
	iss := readyClusterIssuer()
	iss.Spec.Revocation = &v1alpha1.Revocation{RevokeSuperseded: true}
	csr := approvedCSR(t)
	f := newFixture(t, []client.Object{iss, csr})
	if _, err := f.csrr.Reconcile(t.Context(), reconcile.Request{NamespacedName: client.ObjectKeyFromObject(csr)}); err != nil {
		t.Fatal(err)
	}
	got := &certificatesv1.CertificateSigningRequest{}
	if err := f.client.Get(t.Context(), client.ObjectKeyFromObject(csr), got); err != nil {
		t.Fatal(err)
	}
	if len(got.Status.Certificate) == 0 {
		t.Fatal("not issued")
	}
	if a := got.Annotations; a[v1alpha1.AnnotationCertificateID] != "100" || a[v1alpha1.AnnotationSerialNumber] != "0A" {
		t.Errorf("annotations %v, want certificate id 100 and serial 0A", a)
	}
	if slices.Contains(got.Finalizers, FinalizerRevokeSuperseded) {
		t.Errorf("a CSR got the finalizer: %v", got.Finalizers)
	}
}

// TestIssuanceRecordFirst: when the record cannot be written, the status
// is not written either (an issued request always has its record), and the
// next attempt finds the certificate through the in-flight marker instead
// of issuing again.
func TestIssuanceRecordFirst(t *testing.T) {
	cr := approvedCR(t)
	failing := true
	f := newFixture(t, []client.Object{readyIssuer(), cr}, func(b *fake.ClientBuilder, _ *fixture) {
		b.WithInterceptorFuncs(interceptor.Funcs{Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
			data, _ := patch.Data(obj)
			if failing && strings.Contains(string(data), v1alpha1.AnnotationCertificateID) {
				return errors.New("etcd is away")
			}
			return c.Patch(ctx, obj, patch, opts...)
		}})
	})
	key := reconcile.Request{NamespacedName: client.ObjectKeyFromObject(cr)}
	_, err := f.crr.Reconcile(t.Context(), key)
	checkErr(t, err, retryError)
	got := &cmapi.CertificateRequest{}
	if err := f.client.Get(t.Context(), key.NamespacedName, got); err != nil {
		t.Fatal(err)
	}
	if len(got.Status.Certificate) != 0 || got.Annotations[v1alpha1.AnnotationCertificateID] != "" {
		t.Fatalf("status written without the record: certificate %d bytes, annotations %v", len(got.Status.Certificate), got.Annotations)
	}
	failing = false
	f.pca.adopt = cr.Spec.Request
	if _, err := f.crr.Reconcile(t.Context(), key); err != nil {
		t.Fatal(err)
	}
	if err := f.client.Get(t.Context(), key.NamespacedName, got); err != nil {
		t.Fatal(err)
	}
	if len(got.Status.Certificate) == 0 || got.Annotations[v1alpha1.AnnotationSerialNumber] != "0A" {
		t.Errorf("second attempt: certificate %d bytes, annotations %v", len(got.Status.Certificate), got.Annotations)
	}
	if n := len(f.pca.calls()); n != 1 {
		t.Errorf("issuance calls = %d, want 1 (the second attempt adopts)", n)
	}
}
