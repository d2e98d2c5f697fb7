package controller

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	"golang.org/x/crypto/ocsp"
	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	clocktesting "k8s.io/utils/clock/testing"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/pca"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// revCA is a CA that signs leaves, CRLs and OCSP responses.
type revCA struct {
	key  *ecdsa.PrivateKey
	cert *x509.Certificate
	pem  string
}

func newRevCA(t *testing.T, cn string, parent *revCA) *revCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(10 * 365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	signerCert, signerKey := tmpl, key
	if parent != nil {
		signerCert, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signerCert, key.Public(), signerKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &revCA{key: key, cert: cert, pem: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))}
}

// leafPEM issues a leaf with serial, valid around now.
func (ca *revCA) leafPEM(t *testing.T, serial int64) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "web"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// crl signs a CRL listing serials (reason keyCompromise), valid an hour
// around now.
func (ca *revCA) crl(t *testing.T, serials ...int64) []byte {
	t.Helper()
	der := ca.crlFor(serials)
	if der == nil {
		t.Fatal("signing the CRL failed")
	}
	return der
}

// crlWindow signs an empty CRL valid from this to next.
func (ca *revCA) crlWindow(t *testing.T, this, next time.Time) []byte {
	t.Helper()
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(2), ThisUpdate: this, NextUpdate: next}, ca.cert, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// revPCA is a store whose template signs under ca (certificate id
// rootID), with switchable CRL and OCSP and counted calls.
type revPCA struct {
	*fakePCA
	ca                    *revCA
	crlActive, ocspActive bool
	crlDER                []byte
	revoked               map[int64]bool
	// ocspUnknown makes the responder answer unknown for every serial.
	ocspUnknown bool

	mu                         sync.Mutex
	getStores, crls, ocspCalls int
}

func newRevPCA(t *testing.T, ca *revCA) *revPCA {
	f := newFakePCA(t)
	return &revPCA{fakePCA: f, ca: ca, crlActive: true, ocspActive: true, revoked: map[int64]bool{}}
}

func (p *revPCA) GetCertificate(_ context.Context, _ int64, id int64) (*wire.Certificate, error) {
	return &wire.Certificate{CertificateID: id, CertificatePem: p.ca.pem}, nil
}

func (p *revPCA) GetStore(context.Context, int64) (*wire.Store, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.getStores++
	return &wire.Store{ID: storeID, CRLActive: p.crlActive, OCSPActive: p.ocspActive}, nil
}

func (p *revPCA) DownloadCRL(_ context.Context, _, certID int64, der bool) ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.crls++
	if certID != rootID || !der {
		return nil, &pca.Error{Op: "DownloadCRL", HTTPStatus: 404}
	}
	if p.crlDER != nil {
		return p.crlDER, nil
	}
	var serials []int64
	for s := range p.revoked {
		serials = append(serials, s)
	}
	return p.ca.crlFor(serials), nil
}

// OCSP answers, signed by the CA that issued the asked serial's leaf
// (the request's issuer key hash tells which).
func (p *revPCA) OCSP(_ context.Context, _ int64, der []byte) ([]byte, error) {
	p.mu.Lock()
	p.ocspCalls++
	p.mu.Unlock()
	req, err := ocsp.ParseRequest(der)
	if err != nil {
		return ocsp.MalformedRequestErrorResponse, nil
	}
	tmpl := ocsp.Response{Status: ocsp.Good, SerialNumber: req.SerialNumber, ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(time.Hour)}
	if p.revoked[req.SerialNumber.Int64()] {
		tmpl.Status, tmpl.RevokedAt, tmpl.RevocationReason = ocsp.Revoked, now.Add(-time.Minute), ocsp.Superseded
	}
	if p.ocspUnknown {
		tmpl.Status = ocsp.Unknown
	}
	return ocsp.CreateResponse(p.ca.cert, p.ca.cert, tmpl, p.ca.key)
}

func (p *revPCA) counts() (stores, crls, ocsps int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.getStores, p.crls, p.ocspCalls
}

// crlFor signs a CRL listing serials, or returns nil; the fake's answers
// have no *testing.T.
func (ca *revCA) crlFor(serials []int64) []byte {
	tmpl := &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(time.Hour)}
	for _, s := range serials {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries, x509.RevocationListEntry{SerialNumber: big.NewInt(s), RevocationTime: now.Add(-2 * time.Minute), ReasonCode: 1})
	}
	der, _ := x509.CreateRevocationList(rand.Reader, tmpl, ca.cert, ca.key)
	return der
}

// revFixture is a revocation checker on a fake client, a fake PCA and a
// fake clock; every object is first checked at once (no spreading).
type revFixture struct {
	client   client.Client
	pca      *revPCA
	clock    *clocktesting.FakeClock
	recorder *events.FakeRecorder
	checker  *revocationChecker
	crr      *CertificateRevocationReconciler
	csrr     *CSRRevocationReconciler
}

func newRevFixture(t *testing.T, ca *revCA, objs ...client.Object) *revFixture {
	t.Helper()
	return newRevFixtureWith(t, ca, interceptor.Funcs{}, objs...)
}

// newRevFixtureWith is newRevFixture with the fake client's calls
// intercepted by funcs.
func newRevFixtureWith(t *testing.T, ca *revCA, funcs interceptor.Funcs, objs ...client.Object) *revFixture {
	t.Helper()
	scheme, err := NewScheme()
	if err != nil {
		t.Fatal(err)
	}
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(objs...).WithInterceptorFuncs(funcs).
		WithStatusSubresource(&cmapi.Certificate{}, &v1alpha1.PCAIssuer{}).Build()
	f := &revFixture{client: c, pca: newRevPCA(t, ca), clock: clocktesting.NewFakeClock(now), recorder: events.NewFakeRecorder(100)}
	f.checker = newRevocationChecker(c, c, func(context.Context, v1alpha1.Issuer) (revocationAPI, error) { return f.pca, nil },
		newTemplateCache(time.Hour), newCAPins(), f.recorder, testOpts)
	f.checker.clock = f.clock
	f.checker.schedule.rand = func(int64) int64 { return 0 }
	f.crr = &CertificateRevocationReconciler{f.checker}
	f.csrr = &CSRRevocationReconciler{f.checker}
	return f
}

// revIssuer is readyIssuer checking every minute.
func revIssuer() *v1alpha1.PCAIssuer {
	iss := readyIssuer()
	iss.Spec.Revocation = &v1alpha1.Revocation{CheckInterval: &metav1.Duration{Duration: time.Minute}}
	return iss
}

// certificateWith is Certificate team/<name> of PCAIssuer pca, whose
// Secret <name>-tls holds tlsCrt (and caCrt, when given).
func certificateWith(name string, tlsCrt, caCrt []byte) (*cmapi.Certificate, *corev1.Secret) {
	crt := &cmapi.Certificate{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: name, Generation: 1},
		Spec: cmapi.CertificateSpec{SecretName: name + "-tls",
			IssuerRef: cmmeta.IssuerReference{Group: v1alpha1.GroupVersion.Group, Kind: kindIssuer, Name: "pca"}},
	}
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: name + "-tls"},
		Data: map[string][]byte{corev1.TLSCertKey: tlsCrt, cmmeta.TLSCAKey: caCrt}}
	return crt, s
}

func (f *revFixture) reconcile(t *testing.T, name string) ctrl.Result {
	t.Helper()
	res, err := f.crr.Reconcile(t.Context(), ctrl.Request{NamespacedName: types.NamespacedName{Namespace: "team", Name: name}})
	if err != nil {
		t.Fatalf("Reconcile %s: %v", name, err)
	}
	return res
}

func (f *revFixture) issuing(t *testing.T, name string) *cmapi.CertificateCondition {
	t.Helper()
	var crt cmapi.Certificate
	if err := f.client.Get(t.Context(), types.NamespacedName{Namespace: "team", Name: name}, &crt); err != nil {
		t.Fatal(err)
	}
	for i := range crt.Status.Conditions {
		if crt.Status.Conditions[i].Type == cmapi.CertificateConditionIssuing {
			return &crt.Status.Conditions[i]
		}
	}
	return nil
}

// events returns the events recorded so far, as "Type Reason Note".
func (f *revFixture) events() []string { return drainEvents(f.recorder) }

func TestRevocationCheckCertificates(t *testing.T) {
	ca := newRevCA(t, "issuing CA", nil)
	other := newRevCA(t, "another CA", nil)
	tests := []struct {
		name string
		// setup changes the PCA, and returns the Certificate's Secret
		// contents.
		setup func(t *testing.T, p *revPCA) (tlsCrt, caCrt []byte)
		// issuing makes the Certificate Issuing already.
		issuing bool
		// wantRenewed: the Issuing condition is set with reason
		// CertificateRevoked and the event names the serial and reason.
		wantRenewed bool
		wantReason  string
		// wantEvents are substrings, one per recorded event, in order.
		wantEvents []string
		// wantCRLs and wantOCSP are the PCA's CRL downloads and OCSP calls.
		wantCRLs, wantOCSP int
	}{
		{name: "good through the CRL", setup: func(t *testing.T, p *revPCA) ([]byte, []byte) {
			return ca.leafPEM(t, 0x0a), nil
		}, wantCRLs: 1},
		{name: "revoked through the CRL", setup: func(t *testing.T, p *revPCA) ([]byte, []byte) {
			p.revoked[0x0a] = true
			return ca.leafPEM(t, 0x0a), nil
		}, wantRenewed: true, wantReason: "keyCompromise", wantCRLs: 1,
			wantEvents: []string{"Warning CertificateRevoked The certificate with serial 0A was revoked in the PCA (reason keyCompromise"}},
		{name: "revoked through OCSP only", setup: func(t *testing.T, p *revPCA) ([]byte, []byte) {
			p.crlActive, p.revoked[0x0b] = false, true
			return ca.leafPEM(t, 0x0b), nil
		}, wantRenewed: true, wantReason: "superseded", wantOCSP: 1,
			wantEvents: []string{"Warning CertificateRevoked The certificate with serial 0B was revoked in the PCA (reason superseded"}},
		{name: "neither CRL nor OCSP", setup: func(t *testing.T, p *revPCA) ([]byte, []byte) {
			p.crlActive, p.ocspActive, p.revoked[0x0a] = false, false, true
			return ca.leafPEM(t, 0x0a), nil
		}, wantEvents: []string{"Warning RevocationUnchecked Store 1 publishes neither a CRL nor OCSP"}},
		{name: "CRL signed by another key, no OCSP", setup: func(t *testing.T, p *revPCA) ([]byte, []byte) {
			p.crlDER, p.ocspActive, p.revoked[0x0a] = other.crl(t, 0x0a), false, true
			return ca.leafPEM(t, 0x0a), nil
		}, wantCRLs: 1, wantEvents: []string{"Warning RevocationCheckFailed Checking the revocation of certificate 0A failed: the CRL of CA certificate 1 of store 1: the CRL is issued by"}},
		{name: "CRL of the right name with another key falls back to OCSP", setup: func(t *testing.T, p *revPCA) ([]byte, []byte) {
			p.crlDER, p.revoked[0x0a] = newRevCA(t, "issuing CA", nil).crl(t), true
			return ca.leafPEM(t, 0x0a), nil
		}, wantCRLs: 1, wantOCSP: 1, wantRenewed: true, wantReason: "superseded", wantEvents: []string{
			"Warning RevocationCheckFailed Checking the revocation of certificate 0A failed: the CRL of CA certificate 1 of store 1: the CRL's signature does not verify",
			"Warning CertificateRevoked The certificate with serial 0A was revoked in the PCA (reason superseded"}},
		{name: "stale CRL", setup: func(t *testing.T, p *revPCA) ([]byte, []byte) {
			p.ocspActive = false
			p.crlDER = ca.crlWindow(t, now.Add(-3*time.Hour), now.Add(-time.Hour))
			return ca.leafPEM(t, 0x0a), nil
		}, wantCRLs: 1, wantEvents: []string{"Warning RevocationCheckFailed Checking the revocation of certificate 0A failed: the CRL of CA certificate 1 of store 1: the CRL's nextUpdate"}},
		{name: "leaf of another CA is not this issuer's", setup: func(t *testing.T, p *revPCA) ([]byte, []byte) {
			p.revoked[0x0a] = true
			return other.leafPEM(t, 0x0a), []byte(other.pem)
		}},
		{name: "already Issuing", issuing: true, setup: func(t *testing.T, p *revPCA) ([]byte, []byte) {
			p.revoked[0x0a] = true
			return ca.leafPEM(t, 0x0a), nil
		}},
		{name: "Secret holds no certificate yet", setup: func(t *testing.T, p *revPCA) ([]byte, []byte) { return nil, nil }},
		{name: "Secret holds garbage", setup: func(t *testing.T, p *revPCA) ([]byte, []byte) { return []byte("not PEM"), nil }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f0 := newRevPCA(t, ca)
			tlsCrt, caCrt := tc.setup(t, f0)
			crt, secret := certificateWith("web", tlsCrt, caCrt)
			if tc.issuing {
				crt.Status.Conditions = []cmapi.CertificateCondition{{Type: cmapi.CertificateConditionIssuing, Status: cmmeta.ConditionTrue, Reason: "Renewing"}}
			}
			f := newRevFixture(t, ca, revIssuer(), crt, secret)
			f.pca = f0
			res := f.reconcile(t, "web")
			if res.RequeueAfter < 54*time.Second || res.RequeueAfter > 66*time.Second {
				t.Errorf("RequeueAfter = %s, want the one-minute interval give or take a tenth", res.RequeueAfter)
			}
			cond := f.issuing(t, "web")
			switch {
			case tc.wantRenewed && (cond == nil || cond.Reason != v1alpha1.ReasonCertificateRevoked || !strings.Contains(cond.Message, tc.wantReason)):
				t.Errorf("Issuing condition = %+v, want True with reason %s naming %s", cond, v1alpha1.ReasonCertificateRevoked, tc.wantReason)
			case !tc.wantRenewed && cond != nil && cond.Reason == v1alpha1.ReasonCertificateRevoked:
				t.Errorf("Issuing condition = %+v, want no renewal", cond)
			}
			got := f.events()
			if len(got) != len(tc.wantEvents) {
				t.Fatalf("events = %q, want %d like %q", got, len(tc.wantEvents), tc.wantEvents)
			}
			for i, want := range tc.wantEvents {
				if !strings.Contains(got[i], want) {
					t.Errorf("event %d = %q, want one containing %q", i, got[i], want)
				}
			}
			_, crls, ocsps := f.pca.counts()
			if crls != tc.wantCRLs || ocsps != tc.wantOCSP {
				t.Errorf("%d CRL downloads and %d OCSP calls, want %d and %d", crls, ocsps, tc.wantCRLs, tc.wantOCSP)
			}
		})
	}
}

// TestRevocationCheckBounds: one CRL download and one store read per
// interval cover every Certificate; checks wait for their interval; a
// revoked serial is acted on once.
func TestRevocationCheckBounds(t *testing.T) {
	ca := newRevCA(t, "issuing CA", nil)
	var objs []client.Object
	objs = append(objs, revIssuer())
	names := []string{"a", "b", "c", "d"}
	for i, name := range names {
		crt, s := certificateWith(name, ca.leafPEM(t, int64(0x10+i)), nil)
		objs = append(objs, crt, s)
	}
	f := newRevFixture(t, ca, objs...)
	f.pca.revoked[0x10] = true
	for _, name := range names {
		f.reconcile(t, name)
	}
	stores, crls, _ := f.pca.counts()
	if stores != 1 || crls != 1 {
		t.Errorf("%d store reads and %d CRL downloads for %d Certificates, want 1 each", stores, crls, len(names))
	}
	if got := f.events(); len(got) != 1 || !strings.Contains(got[0], "serial 10 ") {
		t.Errorf("events = %q, want one naming serial 10", got)
	}
	// Woken early (a status update): no check before the interval.
	f.clock.Step(10 * time.Second)
	if res := f.reconcile(t, "b"); res.RequeueAfter <= 0 || res.RequeueAfter > time.Minute {
		t.Errorf("RequeueAfter = %s, want the rest of the interval", res.RequeueAfter)
	}
	if _, crls, _ := f.pca.counts(); crls != 1 {
		t.Errorf("%d CRL downloads after an early wake-up, want 1", crls)
	}
	// An interval later: one more download; the revoked serial, still in
	// the Secret (cert-manager has not renewed it yet), is not acted on
	// again: the Issuing condition stays as set, and no second event.
	var crt cmapi.Certificate
	if err := f.client.Get(t.Context(), types.NamespacedName{Namespace: "team", Name: "a"}, &crt); err != nil {
		t.Fatal(err)
	}
	crt.Status.Conditions = nil // cert-manager's issuance failed and cleared it
	if err := f.client.Status().Update(t.Context(), &crt); err != nil {
		t.Fatal(err)
	}
	f.clock.Step(2 * time.Minute)
	for _, name := range names {
		f.reconcile(t, name)
	}
	if _, crls, _ := f.pca.counts(); crls != 2 {
		t.Errorf("%d CRL downloads after two intervals, want 2", crls)
	}
	if got := f.events(); len(got) != 0 {
		t.Errorf("events = %q, want none: serial 10 was acted on already", got)
	}
	if cond := f.issuing(t, "a"); cond != nil {
		t.Errorf("Issuing condition = %+v, want none: serial 10 was acted on already", cond)
	}
}

// TestRevocationRenewRetried: a renewal that fails (a conflict) is
// retried with backoff and checks again at once, not an interval later;
// the event is recorded once the renewal is written.
func TestRevocationRenewRetried(t *testing.T) {
	ca := newRevCA(t, "issuing CA", nil)
	crt, s := certificateWith("web", ca.leafPEM(t, 0x0a), nil)
	conflicts := 1
	f := newRevFixtureWith(t, ca, interceptor.Funcs{SubResourceUpdate: func(ctx context.Context, c client.Client, sub string, obj client.Object, opts ...client.SubResourceUpdateOption) error {
		if conflicts > 0 {
			conflicts--
			return apierrors.NewConflict(schema.GroupResource{Group: "cert-manager.io", Resource: "certificates"}, obj.GetName(), nil)
		}
		return c.SubResource(sub).Update(ctx, obj, opts...)
	}}, revIssuer(), crt, s)
	f.pca.revoked[0x0a] = true
	req := ctrl.Request{NamespacedName: types.NamespacedName{Namespace: "team", Name: "web"}}
	if _, err := f.crr.Reconcile(t.Context(), req); !apierrors.IsConflict(err) {
		t.Fatalf("first Reconcile error = %v, want the conflict (requeue with backoff)", err)
	}
	if got := f.events(); len(got) != 0 {
		t.Errorf("events after the failed renewal = %q, want none", got)
	}
	f.clock.Step(time.Second) // the backoff
	f.reconcile(t, "web")
	if cond := f.issuing(t, "web"); cond == nil || cond.Reason != v1alpha1.ReasonCertificateRevoked {
		t.Errorf("Issuing condition = %+v, want set by the retry", cond)
	}
	if got := f.events(); len(got) != 1 {
		t.Errorf("events = %q, want one CertificateRevoked", got)
	}
}

// TestRevocationCheckOlderCA: a leaf signed by an older intermediate (after
// a rotation) that chains, through the Secret's ca.crt, to the issuer's
// pinned root is checked through OCSP, even with the CRL active (the
// older CA's certificate id is not known).
func TestRevocationCheckOlderCA(t *testing.T) {
	root := newRevCA(t, "root", nil)
	old := newRevCA(t, "old intermediate", root)
	crt, s := certificateWith("web", old.leafPEM(t, 0x0c), []byte(old.pem+root.pem))
	f := newRevFixture(t, root, revIssuer(), crt, s)
	f.pca.revoked[0x0c] = true
	// The fake responder signs with its CA: answer as the old intermediate.
	f.pca.ca = old
	// The template signs under the current intermediate, pinned with the
	// root.
	pinned := newRevCA(t, "current intermediate", root)
	f.checker.pins.set(types.NamespacedName{Namespace: "team", Name: "pca"}, rootID, storeCAs{signing: pinned.cert, roots: []*x509.Certificate{root.cert}})
	f.reconcile(t, "web")
	if _, crls, ocsps := f.pca.counts(); crls != 0 || ocsps != 1 {
		t.Errorf("%d CRL downloads and %d OCSP calls, want 0 and 1", crls, ocsps)
	}
	if cond := f.issuing(t, "web"); cond == nil || cond.Reason != v1alpha1.ReasonCertificateRevoked {
		t.Errorf("Issuing condition = %+v, want set for the revoked leaf", cond)
	}
}

// TestRevocationCheckCSR: a revoked certificate of a signed Kubernetes CSR
// gets one Warning event, and no renewal.
func TestRevocationCheckCSR(t *testing.T) {
	ca := newRevCA(t, "issuing CA", nil)
	iss := readyClusterIssuer()
	csr := &certificatesv1.CertificateSigningRequest{
		ObjectMeta: metav1.ObjectMeta{Name: "kubelet"},
		Spec:       certificatesv1.CertificateSigningRequestSpec{SignerName: SignerPrefixClusterIssuer + iss.Name},
		Status:     certificatesv1.CertificateSigningRequestStatus{Certificate: ca.leafPEM(t, 0x0d)},
	}
	f := newRevFixture(t, ca, iss, csr)
	f.pca.revoked[0x0d] = true
	for range 2 {
		if _, err := f.csrr.Reconcile(t.Context(), ctrl.Request{NamespacedName: types.NamespacedName{Name: "kubelet"}}); err != nil {
			t.Fatal(err)
		}
		f.clock.Step(time.Hour)
	}
	got := f.events()
	if len(got) != 1 || !strings.Contains(got[0], "Warning CertificateRevoked The certificate with serial 0D was revoked") {
		t.Errorf("events = %q, want one Warning naming serial 0D", got)
	}
}

func TestCheckSchedule(t *testing.T) {
	s := newCheckSchedule()
	var asked []int64
	s.rand = func(n int64) int64 { asked = append(asked, n); return n / 2 }
	key := checkKey{kind: kindCertificate, NamespacedName: types.NamespacedName{Namespace: "ns", Name: "a"}}
	if got := s.wait(key, now, time.Hour); got != 30*time.Minute {
		t.Errorf("first wait = %s, want a random point of the interval (here its middle)", got)
	}
	if got := s.wait(key, now.Add(10*time.Minute), time.Hour); got != 20*time.Minute {
		t.Errorf("wait 10m later = %s, want 20m", got)
	}
	if got := s.checked(key, now, time.Hour); got != 60*time.Minute {
		t.Errorf("checked = %s, want 54m plus half of 12m", got)
	}
	// A shortened interval does not wait for the old due time.
	if got := s.wait(key, now, time.Minute); got != 30*time.Second {
		t.Errorf("wait with a shortened interval = %s, want 30s", got)
	}
	s.forget(key)
	if got := s.wait(key, now, time.Minute); got != 30*time.Second {
		t.Errorf("wait after forget = %s, want a new random point", got)
	}
}

func TestCurrentLeaf(t *testing.T) {
	ca := newRevCA(t, "issuing CA", nil)
	leafPEM := ca.leafPEM(t, 0x0e)
	tests := []struct {
		name    string
		secret  *corev1.Secret
		noLeaf  bool
		wantErr string
	}{
		{name: "leaf", secret: &corev1.Secret{Data: map[string][]byte{corev1.TLSCertKey: append(leafPEM, ca.pem...)}}},
		{name: "no Secret", noLeaf: true},
		{name: "empty tls.crt", secret: &corev1.Secret{}, noLeaf: true},
		{name: "too large", secret: &corev1.Secret{Data: map[string][]byte{corev1.TLSCertKey: make([]byte, maxSecretChainBytes+1)}}, wantErr: "more than"},
		{name: "not a certificate", secret: &corev1.Secret{Data: map[string][]byte{corev1.TLSCertKey: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1}})}}, wantErr: "PEM CERTIFICATE"},
		{name: "bad DER", secret: &corev1.Secret{Data: map[string][]byte{corev1.TLSCertKey: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1, 2}})}}, wantErr: "tls.crt"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			crt, _ := certificateWith("web", nil, nil)
			var objs []client.Object
			if tc.secret != nil {
				tc.secret.Namespace, tc.secret.Name = "team", "web-tls"
				objs = append(objs, tc.secret)
			}
			f := newRevFixture(t, ca, objs...)
			leaf, err := currentLeaf(t.Context(), f.client, crt)
			switch {
			case tc.noLeaf:
				if !errorsIsNoLeaf(err) {
					t.Errorf("currentLeaf = %v, %v; want an error wrapping errNoLeaf", leaf, err)
				}
			case tc.wantErr != "":
				if err == nil || errorsIsNoLeaf(err) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("currentLeaf error = %v, want one containing %q (not errNoLeaf)", err, tc.wantErr)
				}
			case err != nil || leaf.SerialNumber.Int64() != 0x0e:
				t.Errorf("currentLeaf = %v, %v; want the leaf with serial 0E", leaf, err)
			}
		})
	}
}

func errorsIsNoLeaf(err error) bool { return errors.Is(err, errNoLeaf) }
