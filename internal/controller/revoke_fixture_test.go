package controller

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/events"
	clocktesting "k8s.io/utils/clock/testing"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/pca"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// revokeTimeout is the fixtures' bound of a revocation attempt.
const revokeTimeout = 2 * time.Minute

// fakeRevocationPCA is a PCA store's certificates by id, each with its
// serial and status; revoking one marks it REVOKED, and answers 409 for
// one revoked already, as the PCA does.
type fakeRevocationPCA struct {
	mu    sync.Mutex
	certs map[int64]*wire.Certificate
	// revokeErr, when set, is the answer of every revoke call (the call
	// counts, the certificate stays as it is).
	revokeErr error
	// answerSerial, when set, replaces the serial of revoke answers.
	answerSerial string
	revokes      []int64
}

func newFakeRevocationPCA(serials map[int64]string) *fakeRevocationPCA {
	f := &fakeRevocationPCA{certs: map[int64]*wire.Certificate{}}
	for id, s := range serials {
		f.certs[id] = &wire.Certificate{CertificateID: id, SerialNumber: s, Status: wire.StatusActive, IsLeaf: true, CertificatePem: string(testLeaf(hexSerial(s), 0))}
	}
	return f
}

func (f *fakeRevocationPCA) GetCertificate(_ context.Context, _ int64, id int64) (*wire.Certificate, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.certs[id]
	if !ok {
		return nil, &pca.Error{Op: "GetCertificate", HTTPStatus: http.StatusNotFound, ResultCode: 40400, ResultMessage: "certificate not found"}
	}
	cp := *c
	return &cp, nil
}

func (f *fakeRevocationPCA) RevokeCertificate(_ context.Context, _ int64, id int64) (*wire.RevokeResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.revokes = append(f.revokes, id)
	if f.revokeErr != nil {
		return nil, f.revokeErr
	}
	c, ok := f.certs[id]
	switch {
	case !ok:
		return nil, &pca.Error{Op: "RevokeCertificate", HTTPStatus: http.StatusNotFound, ResultMessage: "certificate not found"}
	case c.Status == wire.StatusRevoked:
		return nil, &pca.Error{Op: "RevokeCertificate", HTTPStatus: http.StatusConflict, ResultMessage: "already REVOKED"}
	}
	c.Status = wire.StatusRevoked
	serial := c.SerialNumber
	if f.answerSerial != "" {
		serial = f.answerSerial
	}
	return &wire.RevokeResult{Result: true, SerialNumber: serial, RevocationDatetime: wire.NewDateTime(now)}, nil
}

func (f *fakeRevocationPCA) status(id int64) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.certs[id].Status
}

func (f *fakeRevocationPCA) calls() []int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int64(nil), f.revokes...)
}

// revokeFixture is both revocation reconcilers on the fake client, a fake
// PCA, a fake clock and a fake event recorder.
type revokeFixture struct {
	client   client.Client
	pca      *fakeRevocationPCA
	clock    *clocktesting.FakeClock
	recorder *events.FakeRecorder
	ann      *RevokeAnnotationReconciler
	sup      *SupersededReconciler
}

func newRevokeFixture(t *testing.T, f *fakeRevocationPCA, objs []client.Object, funcs *interceptor.Funcs) *revokeFixture {
	t.Helper()
	scheme, err := NewScheme()
	if err != nil {
		t.Fatal(err)
	}
	b := fake.NewClientBuilder().WithScheme(scheme).WithObjects(objs...).
		WithStatusSubresource(&cmapi.Certificate{}, &cmapi.CertificateRequest{}, &v1alpha1.PCAIssuer{}).
		WithIndex(&cmapi.CertificateRequest{}, certificateOwnerIndex, certificateOwner)
	if funcs != nil {
		b.WithInterceptorFuncs(*funcs)
	}
	fx := &revokeFixture{client: b.Build(), pca: f, clock: clocktesting.NewFakeClock(now), recorder: events.NewFakeRecorder(100)}
	rv := &revoker{client: fx.client, apiReader: fx.client, clock: fx.clock, timeout: revokeTimeout,
		pcaFor: func(context.Context, v1alpha1.Issuer) (pcaRevokeAPI, error) { return f, nil }}
	fx.ann = &RevokeAnnotationReconciler{client: fx.client, apiReader: fx.client, revoker: rv, recorder: fx.recorder}
	fx.sup = &SupersededReconciler{client: fx.client, apiReader: fx.client, revoker: rv, recorder: fx.recorder, clock: fx.clock}
	return fx
}

// events returns the events recorded so far, as "Type Reason Note".
func (fx *revokeFixture) events() []string { return drainEvents(fx.recorder) }

func (fx *revokeFixture) request(t *testing.T, name string) *cmapi.CertificateRequest {
	t.Helper()
	cr := &cmapi.CertificateRequest{}
	if err := fx.client.Get(t.Context(), client.ObjectKey{Namespace: "team", Name: name}, cr); err != nil {
		t.Fatalf("CertificateRequest %s: %v", name, err)
	}
	return cr
}

func (fx *revokeFixture) certificate(t *testing.T) *cmapi.Certificate {
	t.Helper()
	crt := &cmapi.Certificate{}
	if err := fx.client.Get(t.Context(), client.ObjectKey{Namespace: "team", Name: "web"}, crt); err != nil {
		t.Fatal(err)
	}
	return crt
}

// webCertificate is Certificate team/web of PCAIssuer pca at revision
// revision, with Secret web-tls.
func webCertificate(revision int, annotations map[string]string) *cmapi.Certificate {
	return &cmapi.Certificate{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "web", UID: "uid-web", Annotations: annotations},
		Spec: cmapi.CertificateSpec{
			SecretName: "web-tls", DNSNames: []string{"web.example.internal"},
			IssuerRef: cmmeta.IssuerReference{Group: v1alpha1.GroupVersion.Group, Kind: kindIssuer, Name: "pca"},
		},
		Status: cmapi.CertificateStatus{Revision: &revision},
	}
}

// webRequest is CertificateRequest team/web-<revision> of Certificate
// web, issued as PCA certificate id with serial (the test leaf of that
// serial in status.certificate), held or not.
func webRequest(revision int, id int64, serial string, held bool) *cmapi.CertificateRequest {
	cr := &cmapi.CertificateRequest{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: "team", Name: "web-" + strconv.Itoa(revision), CreationTimestamp: created,
			Annotations: map[string]string{
				cmapi.CertificateRequestRevisionAnnotationKey: strconv.Itoa(revision),
				v1alpha1.AnnotationCertificateID:              strconv.FormatInt(id, 10),
				v1alpha1.AnnotationSerialNumber:               serial,
			},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "cert-manager.io/v1", Kind: "Certificate", Name: "web", UID: "uid-web"}},
		},
		Spec:   cmapi.CertificateRequestSpec{IssuerRef: cmmeta.IssuerReference{Group: v1alpha1.GroupVersion.Group, Kind: kindIssuer, Name: "pca"}},
		Status: cmapi.CertificateRequestStatus{Certificate: testLeaf(hexSerial(serial), 0)},
	}
	if held {
		cr.Finalizers = []string{FinalizerRevokeSuperseded}
	}
	return cr
}

// testLeaves are self-signed leaves by serial and variant, made once.
var testLeaves = struct {
	sync.Mutex
	pem map[[2]int64][]byte
}{pem: map[[2]int64][]byte{}}

// testLeaf returns the PEM of a leaf with serial; another variant is
// another certificate with the same serial.
func testLeaf(serial, variant int64) []byte {
	testLeaves.Lock()
	defer testLeaves.Unlock()
	k := [2]int64{serial, variant}
	if p, ok := testLeaves.pem[k]; ok {
		return p
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "web"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		panic(err)
	}
	testLeaves.pem[k] = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return testLeaves.pem[k]
}

// hexSerial reads a test serial ("0A").
func hexSerial(s string) int64 {
	n, ok := wire.ParseSerial(s)
	if !ok {
		panic("not a serial: " + s)
	}
	return n.Int64()
}

// webSecret is Secret team/web-tls holding the test leaf with serial.
func webSecret(t *testing.T, serial int64) *corev1.Secret {
	t.Helper()
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "web-tls"},
		Data:       map[string][]byte{corev1.TLSCertKey: testLeaf(serial, 0)},
	}
}

// revokingIssuer is PCAIssuer team/pca with revocation.
func revokingIssuer(revocation *v1alpha1.Revocation) *v1alpha1.PCAIssuer {
	iss := readyIssuer()
	iss.Spec.Revocation = revocation
	return iss
}

// hasEvent reports whether one of events starts with prefix and holds
// every text.
func hasEvent(events []string, prefix string, texts ...string) bool {
next:
	for _, e := range events {
		if !strings.HasPrefix(e, prefix) {
			continue
		}
		for _, s := range texts {
			if !strings.Contains(e, s) {
				continue next
			}
		}
		return true
	}
	return false
}

// issuing reports whether crt's Issuing condition is True.
func issuing(crt *cmapi.Certificate) bool {
	for _, c := range crt.Status.Conditions {
		if c.Type == cmapi.CertificateConditionIssuing && c.Status == cmmeta.ConditionTrue {
			return true
		}
	}
	return false
}
