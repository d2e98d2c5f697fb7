package controller

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/pca"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

var webKey = reconcile.Request{NamespacedName: client.ObjectKey{Namespace: "team", Name: "web"}}

func revokeAnnotated(reason string) map[string]string {
	return map[string]string{v1alpha1.AnnotationRevoke: reason}
}

// checkFinished: the Certificate no longer carries the revoke annotation
// nor its pin.
func checkFinished(t *testing.T, crt *cmapi.Certificate) {
	t.Helper()
	if _, ok := crt.Annotations[v1alpha1.AnnotationRevoke]; ok {
		t.Errorf("the revoke annotation is still there: %v", crt.Annotations)
	}
	if _, ok := crt.Annotations[AnnotationRevokeSerial]; ok {
		t.Errorf("the pin is still there: %v", crt.Annotations)
	}
}

// TestRevokeAnnotationRevokesCurrent: the certificate in the Secret (serial
// 0A, recorded by web-2) is revoked with one call, web-1's is not; the
// Certificate is renewed, the annotation removed, a Normal event names
// serial, reason and time; a second reconcile calls nothing.
func TestRevokeAnnotationRevokesCurrent(t *testing.T) {
	f := newFakeRevocationPCA(map[int64]string{99: "09", 100: "0A"})
	fx := newRevokeFixture(t, f, []client.Object{
		readyIssuer(), webCertificate(2, revokeAnnotated("keyCompromise")), webSecret(t, 0x0A),
		webRequest(1, 99, "09", false), webRequest(2, 100, "0A", false),
	}, nil)
	res, err := fx.ann.Reconcile(t.Context(), webKey)
	if err != nil || !res.IsZero() {
		t.Fatalf("Reconcile = %v, %v", res, err)
	}
	if got := f.calls(); len(got) != 1 || got[0] != 100 {
		t.Fatalf("revoke calls %v, want [100]", got)
	}
	if f.status(99) != wire.StatusActive {
		t.Error("web-1's certificate was revoked")
	}
	crt := fx.certificate(t)
	checkFinished(t, crt)
	if !issuing(crt) {
		t.Errorf("not renewed: %+v", crt.Status.Conditions)
	}
	if cr := fx.request(t, "web-2"); cr.Annotations[AnnotationRevoked] == "" || cr.Annotations[AnnotationRevocationRequested] == "" {
		t.Errorf("web-2 does not record the revocation: %v", cr.Annotations)
	}
	if ev := fx.events(); !hasEvent(ev, "Normal RevokeDone", "serial 0A", "PCA certificate 100", "keyCompromise", "at 2030-05-01T12:00:00Z") {
		t.Errorf("events %v", ev)
	}
	if _, err := fx.ann.Reconcile(t.Context(), webKey); err != nil {
		t.Fatal(err)
	}
	if got := f.calls(); len(got) != 1 {
		t.Errorf("revoke calls %v after a second reconcile", got)
	}
}

// TestRevokeAnnotationRefusals: what pca-issuer will not revoke is refused
// with a Warning event naming why, the annotation is removed, and no
// revoke call is made.
func TestRevokeAnnotationRefusals(t *testing.T) {
	cases := []struct {
		name    string
		reason  string
		pca     map[int64]string
		secret  bool
		crs     []*cmapi.CertificateRequest
		issuer  bool
		wantMsg string
	}{
		{name: "not an RFC 5280 reason", reason: "stolen", pca: map[int64]string{100: "0A"}, secret: true,
			crs: []*cmapi.CertificateRequest{webRequest(1, 100, "0A", false)}, issuer: true, wantMsg: `"stolen" is not an RFC 5280`},
		{name: "removeFromCRL", reason: "removeFromCRL", pca: map[int64]string{100: "0A"}, secret: true,
			crs: []*cmapi.CertificateRequest{webRequest(1, 100, "0A", false)}, issuer: true, wantMsg: "revokes nothing"},
		{name: "no certificate yet", reason: "keyCompromise", pca: map[int64]string{100: "0A"},
			crs: []*cmapi.CertificateRequest{webRequest(1, 100, "0A", false)}, issuer: true, wantMsg: "no certificate to revoke"},
		{name: "unreadable Secret", reason: "keyCompromise", pca: map[int64]string{100: "0A"}, secret: true,
			crs: []*cmapi.CertificateRequest{webRequest(1, 100, "0A", false)}, issuer: true, wantMsg: "cannot be read"},
		{name: "not issued by pca-issuer", reason: "keyCompromise", pca: map[int64]string{100: "0B"}, secret: true,
			crs: []*cmapi.CertificateRequest{webRequest(1, 100, "0B", false)}, issuer: true, wantMsg: "pca-issuer did not issue that certificate"},
		{name: "another serial in the PCA", reason: "keyCompromise", pca: map[int64]string{100: "0C"}, secret: true,
			crs: []*cmapi.CertificateRequest{webRequest(1, 100, "0A", false)}, issuer: true, wantMsg: `has serial "0C", not 0A`},
		{name: "unknown to the PCA", reason: "keyCompromise", pca: map[int64]string{}, secret: true,
			crs: []*cmapi.CertificateRequest{webRequest(1, 100, "0A", false)}, issuer: true, wantMsg: "has no certificate 100"},
		{name: "forged record", reason: "keyCompromise", pca: map[int64]string{100: "0A"}, secret: true,
			crs: []*cmapi.CertificateRequest{forged(webRequest(1, 100, "0A", false))}, issuer: true, wantMsg: "is not the certificate CertificateRequest web-1 holds"},
		{name: "issuer gone", reason: "keyCompromise", pca: map[int64]string{100: "0A"}, secret: true,
			crs: []*cmapi.CertificateRequest{webRequest(1, 100, "0A", false)}, wantMsg: "PCAIssuer team/pca, which issued certificate 100, is gone"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeRevocationPCA(c.pca)
			objs := []client.Object{webCertificate(1, revokeAnnotated(c.reason))}
			if c.secret {
				s := webSecret(t, 0x0A)
				if c.name == "unreadable Secret" {
					s.Data[corev1.TLSCertKey] = []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
				}
				objs = append(objs, s)
			}
			if c.issuer {
				objs = append(objs, readyIssuer())
			}
			for _, cr := range c.crs {
				objs = append(objs, cr)
			}
			fx := newRevokeFixture(t, f, objs, nil)
			res, err := fx.ann.Reconcile(t.Context(), webKey)
			if err != nil || !res.IsZero() {
				t.Fatalf("Reconcile = %v, %v", res, err)
			}
			if got := f.calls(); len(got) != 0 {
				t.Errorf("revoke calls %v", got)
			}
			crt := fx.certificate(t)
			checkFinished(t, crt)
			if issuing(crt) {
				t.Error("renewed")
			}
			if ev := fx.events(); !hasEvent(ev, "Warning RevokeRefused", c.wantMsg) {
				t.Errorf("events %v, want a RevokeRefused naming %q", ev, c.wantMsg)
			}
		})
	}
}

// TestRevokeAnnotationAtMostOnce: the manager stops after the PCA revoked
// but before the revocation was recorded. While the in-flight marker is
// younger than the call's bound, nothing is called; after it, the PCA's
// REVOKED status counts as done: one revoke call in all.
func TestRevokeAnnotationAtMostOnce(t *testing.T) {
	f := newFakeRevocationPCA(map[int64]string{100: "0A"})
	crash := true
	funcs := &interceptor.Funcs{Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
		data, _ := patch.Data(obj)
		if crash && strings.Contains(string(data), AnnotationRevoked+`"`) {
			return errors.New("the manager stopped")
		}
		return c.Patch(ctx, obj, patch, opts...)
	}}
	fx := newRevokeFixture(t, f, []client.Object{
		readyIssuer(), webCertificate(1, revokeAnnotated("superseded")), webSecret(t, 0x0A), webRequest(1, 100, "0A", false),
	}, funcs)
	if _, err := fx.ann.Reconcile(t.Context(), webKey); err == nil {
		t.Fatal("no error when the revocation could not be recorded")
	}
	if ev := fx.events(); !hasEvent(ev, "Warning RevokeFailed", "serial 0A", "the manager stopped") {
		t.Errorf("events %v", ev)
	}
	crash = false
	fx.clock.Step(time.Minute)
	res, err := fx.ann.Reconcile(t.Context(), webKey)
	if err != nil || res.RequeueAfter != revokeTimeout-time.Minute {
		t.Fatalf("within the marker's bound: Reconcile = %v, %v; want a wait of %s", res, err, revokeTimeout-time.Minute)
	}
	fx.clock.Step(revokeTimeout)
	if res, err := fx.ann.Reconcile(t.Context(), webKey); err != nil || !res.IsZero() {
		t.Fatalf("Reconcile = %v, %v", res, err)
	}
	if got := f.calls(); len(got) != 1 {
		t.Errorf("revoke calls %v, want one", got)
	}
	crt := fx.certificate(t)
	checkFinished(t, crt)
	if !issuing(crt) {
		t.Error("not renewed")
	}
	if ev := fx.events(); !hasEvent(ev, "Normal RevokeDone", "Found already revoked", "serial 0A", "superseded") {
		t.Errorf("events %v", ev)
	}
}

// TestRevokeAnnotationRetries: a failing PCA is a Warning event with its
// error and a retry with backoff, the annotation stays; once the PCA
// answers, the certificate is revoked.
func TestRevokeAnnotationRetries(t *testing.T) {
	f := newFakeRevocationPCA(map[int64]string{100: "0A"})
	f.revokeErr = &pca.Error{Op: "RevokeCertificate", HTTPStatus: http.StatusServiceUnavailable, ResultMessage: strings.Repeat("down ", 1000)}
	fx := newRevokeFixture(t, f, []client.Object{
		readyIssuer(), webCertificate(1, revokeAnnotated("keyCompromise")), webSecret(t, 0x0A), webRequest(1, 100, "0A", false),
	}, nil)
	if _, err := fx.ann.Reconcile(t.Context(), webKey); err == nil {
		t.Fatal("no error to retry with backoff")
	}
	ev := fx.events()
	if !hasEvent(ev, "Warning RevokeFailed", "HTTP 503") {
		t.Errorf("events %v", ev)
	}
	crt := fx.certificate(t)
	if crt.Annotations[v1alpha1.AnnotationRevoke] == "" || crt.Annotations[AnnotationRevokeSerial] != "0A" {
		t.Errorf("annotations %v, want the revoke annotation and the pin 0A", crt.Annotations)
	}
	f.revokeErr = nil
	fx.clock.Step(revokeTimeout)
	if _, err := fx.ann.Reconcile(t.Context(), webKey); err != nil {
		t.Fatal(err)
	}
	if f.status(100) != wire.StatusRevoked {
		t.Error("not revoked")
	}
	checkFinished(t, fx.certificate(t))
}

// TestRevokeAnnotationPinned: once pinned, the revocation stays with the
// pinned certificate although a renewal replaced it in the Secret; the
// new certificate is neither revoked nor renewed again.
func TestRevokeAnnotationPinned(t *testing.T) {
	f := newFakeRevocationPCA(map[int64]string{100: "0A", 101: "0B"})
	crt := webCertificate(2, map[string]string{v1alpha1.AnnotationRevoke: "keyCompromise", AnnotationRevokeSerial: "0A"})
	fx := newRevokeFixture(t, f, []client.Object{
		readyIssuer(), crt, webSecret(t, 0x0B), webRequest(1, 100, "0A", false), webRequest(2, 101, "0B", false),
	}, nil)
	if _, err := fx.ann.Reconcile(t.Context(), webKey); err != nil {
		t.Fatal(err)
	}
	if got := f.calls(); len(got) != 1 || got[0] != 100 {
		t.Errorf("revoke calls %v, want [100]", got)
	}
	got := fx.certificate(t)
	checkFinished(t, got)
	if issuing(got) {
		t.Error("renewed again, though the Secret holds a new certificate")
	}
	if ev := fx.events(); !hasEvent(ev, "Normal RevokeDone", "serial 0A", "holds a newer certificate") {
		t.Errorf("events %v", ev)
	}
}

// TestRevokeAnswerChecked: an answer for another serial is not taken as
// done.
func TestRevokeAnswerChecked(t *testing.T) {
	f := newFakeRevocationPCA(map[int64]string{100: "0A"})
	f.answerSerial = "0F"
	fx := newRevokeFixture(t, f, []client.Object{
		readyIssuer(), webCertificate(1, revokeAnnotated("keyCompromise")), webSecret(t, 0x0A), webRequest(1, 100, "0A", false),
	}, nil)
	if _, err := fx.ann.Reconcile(t.Context(), webKey); err == nil {
		t.Fatal("an answer naming serial 0F was taken")
	}
	if cr := fx.request(t, "web-1"); cr.Annotations[AnnotationRevoked] != "" {
		t.Errorf("recorded as revoked: %v", cr.Annotations)
	}
	if ev := fx.events(); !hasEvent(ev, "Warning RevokeFailed", `serial "0F"`) {
		t.Errorf("events %v", ev)
	}
}

// forged is cr holding another certificate of the same serial than the
// one its annotations name, as when someone wrote the annotations by hand.
func forged(cr *cmapi.CertificateRequest) *cmapi.CertificateRequest {
	cr.Status.Certificate = testLeaf(hexSerial(cr.Annotations[v1alpha1.AnnotationSerialNumber]), 1)
	return cr
}

// TestRevokeAnnotationSecretReadFails: a failed read of the Secret is
// retried with backoff and a Warning event; the annotation stays.
func TestRevokeAnnotationSecretReadFails(t *testing.T) {
	f := newFakeRevocationPCA(map[int64]string{100: "0A"})
	funcs := &interceptor.Funcs{Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
		if _, ok := obj.(*corev1.Secret); ok {
			return apierrors.NewServiceUnavailable("etcd is away")
		}
		return c.Get(ctx, key, obj, opts...)
	}}
	fx := newRevokeFixture(t, f, []client.Object{
		readyIssuer(), webCertificate(1, revokeAnnotated("keyCompromise")), webSecret(t, 0x0A), webRequest(1, 100, "0A", false),
	}, funcs)
	if _, err := fx.ann.Reconcile(t.Context(), webKey); err == nil {
		t.Fatal("no error to retry with backoff")
	}
	if ev := fx.events(); !hasEvent(ev, "Warning RevokeFailed", "etcd is away") {
		t.Errorf("events %v", ev)
	}
	if crt := fx.certificate(t); crt.Annotations[v1alpha1.AnnotationRevoke] == "" {
		t.Error("the annotation was removed")
	}
	if got := f.calls(); len(got) != 0 {
		t.Errorf("revoke calls %v", got)
	}
}

// TestRevokeAnnotationOtherIssuer: a Certificate of another issuer is
// left alone, annotation and all.
func TestRevokeAnnotationOtherIssuer(t *testing.T) {
	f := newFakeRevocationPCA(map[int64]string{100: "0A"})
	crt := webCertificate(1, revokeAnnotated("keyCompromise"))
	crt.Spec.IssuerRef.Group = "cert-manager.io"
	fx := newRevokeFixture(t, f, []client.Object{readyIssuer(), crt, webSecret(t, 0x0A), webRequest(1, 100, "0A", false)}, nil)
	if res, err := fx.ann.Reconcile(t.Context(), webKey); err != nil || !res.IsZero() {
		t.Fatalf("Reconcile = %v, %v", res, err)
	}
	if got := f.calls(); len(got) != 0 {
		t.Errorf("revoke calls %v", got)
	}
	if fx.certificate(t).Annotations[v1alpha1.AnnotationRevoke] == "" {
		t.Error("the annotation of another issuer's Certificate was removed")
	}
	if ev := fx.events(); len(ev) != 0 {
		t.Errorf("events %v", ev)
	}
}
