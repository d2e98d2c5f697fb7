package controller

import (
	"testing"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

func supersede(grace time.Duration) *v1alpha1.Revocation {
	return &v1alpha1.Revocation{RevokeSuperseded: true, GracePeriod: &metav1.Duration{Duration: grace}}
}

// TestSupersededAfterGracePeriod: web-1 (revision 1) was replaced in the
// Secret by web-2 (revision 2). The time it is first seen is recorded and
// the reconcile comes back when the grace period ends; then exactly
// web-1's certificate is revoked, once, and web-1 released; web-2, in use,
// stays held and ACTIVE.
func TestSupersededAfterGracePeriod(t *testing.T) {
	f := newFakeRevocationPCA(map[int64]string{100: "0A", 101: "0B"})
	fx := newRevokeFixture(t, f, []client.Object{
		revokingIssuer(supersede(time.Hour)), webCertificate(2, nil), webSecret(t, 0x0B),
		webRequest(1, 100, "0A", true), webRequest(2, 101, "0B", true),
	}, nil)
	res, err := fx.sup.Reconcile(t.Context(), webKey)
	if err != nil || res.RequeueAfter != time.Hour {
		t.Fatalf("Reconcile = %v, %v; want to come back in 1h", res, err)
	}
	if got := annotationTime(fx.request(t, "web-1"), AnnotationSupersededAt); !got.Equal(now) {
		t.Errorf("superseded-at = %s, want %s", got, now)
	}
	if got := fx.request(t, "web-2").Annotations[AnnotationSupersededAt]; got != "" {
		t.Errorf("the certificate in use is marked superseded at %s", got)
	}
	fx.clock.Step(59 * time.Minute)
	res, err = fx.sup.Reconcile(t.Context(), webKey)
	if err != nil || res.RequeueAfter != time.Minute || len(f.calls()) != 0 {
		t.Fatalf("within the grace period: Reconcile = %v, %v, calls %v", res, err, f.calls())
	}
	fx.clock.Step(time.Minute)
	if res, err := fx.sup.Reconcile(t.Context(), webKey); err != nil || !res.IsZero() {
		t.Fatalf("Reconcile = %v, %v", res, err)
	}
	if got := f.calls(); len(got) != 1 || got[0] != 100 {
		t.Fatalf("revoke calls %v, want [100]", got)
	}
	if f.status(101) != wire.StatusActive {
		t.Error("the certificate in use was revoked")
	}
	if cr := fx.request(t, "web-1"); hasFinalizer(cr) || cr.Annotations[AnnotationRevoked] == "" {
		t.Errorf("web-1: finalizers %v, annotations %v", cr.Finalizers, cr.Annotations)
	}
	if !hasFinalizer(fx.request(t, "web-2")) {
		t.Error("web-2, in use, was released")
	}
	if ev := fx.events(); !hasEvent(ev, "Normal RevokeDone", "serial 0A", "reason superseded", "grace period of 1h0m0s") {
		t.Errorf("events %v", ev)
	}
	if _, err := fx.sup.Reconcile(t.Context(), webKey); err != nil {
		t.Fatal(err)
	}
	if got := f.calls(); len(got) != 1 {
		t.Errorf("revoke calls %v after another reconcile", got)
	}
}

// TestSupersededNeverInUse: a request whose certificate is still in the
// Secret is not superseded, whatever the revisions say; nor is one while
// the Secret has no certificate, nor one not yet below the Certificate's
// revision (a renewal issued but not yet in the Secret).
func TestSupersededNeverInUse(t *testing.T) {
	cases := []struct {
		name     string
		revision int
		secret   int64 // 0: no Secret
	}{
		{name: "still in the Secret", revision: 2, secret: 0x0A},
		{name: "no Secret", revision: 2},
		{name: "renewal not in the Secret yet", revision: 1, secret: 0x0B},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeRevocationPCA(map[int64]string{100: "0A", 101: "0B"})
			objs := []client.Object{revokingIssuer(supersede(0)), webCertificate(c.revision, nil),
				webRequest(1, 100, "0A", true), webRequest(2, 101, "0B", true)}
			if c.secret != 0 {
				objs = append(objs, webSecret(t, c.secret))
			}
			fx := newRevokeFixture(t, f, objs, nil)
			if res, err := fx.sup.Reconcile(t.Context(), webKey); err != nil || !res.IsZero() {
				t.Fatalf("Reconcile = %v, %v", res, err)
			}
			if got := f.calls(); len(got) != 0 {
				t.Errorf("revoke calls %v", got)
			}
			for _, name := range []string{"web-1", "web-2"} {
				if cr := fx.request(t, name); !hasFinalizer(cr) || cr.Annotations[AnnotationSupersededAt] != "" {
					t.Errorf("%s: finalizers %v, annotations %v", name, cr.Finalizers, cr.Annotations)
				}
			}
		})
	}
}

// TestSupersededCertificateDeleted: when the Certificate is gone, a
// request nothing replaced is released without revoking; one replaced
// before is still revoked once its grace period passed.
func TestSupersededCertificateDeleted(t *testing.T) {
	f := newFakeRevocationPCA(map[int64]string{100: "0A", 101: "0B"})
	replaced := webRequest(1, 100, "0A", true)
	replaced.Annotations[AnnotationSupersededAt] = formatTime(now.Add(-2 * time.Hour))
	deleting := metav1.NewTime(now)
	replaced.DeletionTimestamp = &deleting
	fx := newRevokeFixture(t, f, []client.Object{
		revokingIssuer(supersede(time.Hour)), replaced, webRequest(2, 101, "0B", true),
	}, nil)
	if res, err := fx.sup.Reconcile(t.Context(), webKey); err != nil || !res.IsZero() {
		t.Fatalf("Reconcile = %v, %v", res, err)
	}
	if got := f.calls(); len(got) != 1 || got[0] != 100 {
		t.Errorf("revoke calls %v, want [100]", got)
	}
	if f.status(101) != wire.StatusActive {
		t.Error("the certificate nothing replaced was revoked")
	}
	if cr := fx.request(t, "web-2"); hasFinalizer(cr) {
		t.Errorf("web-2 still held: %v", cr.Finalizers)
	}
	if err := fx.client.Get(t.Context(), client.ObjectKey{Namespace: "team", Name: "web-1"}, &cmapi.CertificateRequest{}); err == nil {
		t.Error("web-1, deleted and released, is still there")
	}
}

// TestSupersededPolicyOff: an issuer that no longer revokes superseded
// certificates, or that is gone, releases its requests without a call.
func TestSupersededPolicyOff(t *testing.T) {
	for _, iss := range []client.Object{revokingIssuer(nil), nil} {
		f := newFakeRevocationPCA(map[int64]string{100: "0A", 101: "0B"})
		objs := []client.Object{webCertificate(2, nil), webSecret(t, 0x0B), webRequest(1, 100, "0A", true)}
		if iss != nil {
			objs = append(objs, iss)
		}
		fx := newRevokeFixture(t, f, objs, nil)
		if _, err := fx.sup.Reconcile(t.Context(), webKey); err != nil {
			t.Fatal(err)
		}
		if got := f.calls(); len(got) != 0 {
			t.Errorf("revoke calls %v", got)
		}
		if cr := fx.request(t, "web-1"); hasFinalizer(cr) {
			t.Errorf("still held: %v", cr.Finalizers)
		}
		if ev := fx.events(); !hasEvent(ev, "Normal RevokeSkipped", "serial 0A") {
			t.Errorf("events %v", ev)
		}
	}
}

// TestSupersededAlreadyRevoked: a replaced certificate revoked meanwhile
// (through the annotation, or in the PCA console) is not revoked again.
func TestSupersededAlreadyRevoked(t *testing.T) {
	f := newFakeRevocationPCA(map[int64]string{100: "0A", 101: "0B"})
	f.certs[100].Status = wire.StatusRevoked
	fx := newRevokeFixture(t, f, []client.Object{
		revokingIssuer(supersede(0)), webCertificate(2, nil), webSecret(t, 0x0B), webRequest(1, 100, "0A", true),
	}, nil)
	if _, err := fx.sup.Reconcile(t.Context(), webKey); err != nil {
		t.Fatal(err)
	}
	if got := f.calls(); len(got) != 0 {
		t.Errorf("revoke calls %v", got)
	}
	if cr := fx.request(t, "web-1"); hasFinalizer(cr) || cr.Annotations[AnnotationRevoked] == "" {
		t.Errorf("web-1: finalizers %v, annotations %v", cr.Finalizers, cr.Annotations)
	}
}

// TestSupersededCertificateRecreated: requests of an earlier Certificate
// of the same name (another UID) are released without revoking: nothing
// replaced their certificates.
func TestSupersededCertificateRecreated(t *testing.T) {
	f := newFakeRevocationPCA(map[int64]string{100: "0A"})
	old := webRequest(1, 100, "0A", true)
	old.OwnerReferences[0].UID = "uid-earlier"
	fx := newRevokeFixture(t, f, []client.Object{
		revokingIssuer(supersede(0)), webCertificate(3, nil), webSecret(t, 0x0B), old,
	}, nil)
	if _, err := fx.sup.Reconcile(t.Context(), webKey); err != nil {
		t.Fatal(err)
	}
	if got := f.calls(); len(got) != 0 {
		t.Errorf("revoke calls %v", got)
	}
	if cr := fx.request(t, "web-1"); hasFinalizer(cr) {
		t.Errorf("still held: %v", cr.Finalizers)
	}
}
