package controller

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"sync"
	"testing"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	authzv1 "k8s.io/api/authorization/v1"
	certificatesv1 "k8s.io/api/certificates/v1"
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

// Test fixtures: the clock's now, the PCA store and templates, and the
// issuers every test names.
var (
	now        = time.Date(2030, 5, 1, 12, 0, 0, 0, time.UTC)
	created    = metav1.NewTime(now.Add(-time.Minute))
	testOpts   = Options{}.withDefaults()
	storeID    = int64(1)
	templateID = int64(7)
	otherID    = int64(9)
)

// ecP256 is the keyInfo of the fake templates: the test CSRs' keys.
var ecP256 = wire.KeyInfo{Algorithm: wire.KeyAlgorithmEC, KeySize: 256}

// rootID is the certificate id of the fake store's root, which signs.
const rootID = int64(1)

// fakePCA is the PCA API of one store: templates by id, issuance that
// signs with a test CA (or fails with issueErr), and a leaf FindLeaf finds.
type fakePCA struct {
	ca        *testCA
	templates map[int64]*wire.Template
	issueErr  error
	// adopt is a CSR (PEM) for which FindLeaf answers a leaf, as if an
	// earlier attempt had issued it.
	adopt []byte

	mu     sync.Mutex
	issued []issued
}

// issued is one IssueWithTemplate call.
type issued struct {
	templateID int64
	req        wire.IssueRequest
}

func newFakePCA(t *testing.T) *fakePCA {
	return &fakePCA{ca: newTestCA(t), templates: map[int64]*wire.Template{
		templateID: {ID: templateID, IsLeaf: true, KeyUsage: []string{wire.KeyUsageDigitalSignature}, KeyInfo: ecP256, SigningCertificateID: rootID},
		otherID:    {ID: otherID, IsLeaf: true, KeyUsage: []string{wire.KeyUsageDigitalSignature}, KeyInfo: ecP256, SigningCertificateID: rootID},
	}}
}

func (f *fakePCA) GetTemplate(_ context.Context, _ int64, id int64) (*wire.Template, error) {
	if t, ok := f.templates[id]; ok {
		return t, nil
	}
	return nil, &pca.Error{Op: "GetTemplate", HTTPStatus: http.StatusNotFound, ResultCode: 40400, ResultMessage: "template not found"}
}

func (f *fakePCA) IssueWithTemplate(_ context.Context, _ int64, id int64, req wire.IssueRequest) (*wire.Certificate, error) {
	f.mu.Lock()
	f.issued = append(f.issued, issued{templateID: id, req: req})
	f.mu.Unlock()
	if f.issueErr != nil {
		return nil, f.issueErr
	}
	return f.ca.sign([]byte(req.Csr), time.Duration(req.TTLValue)*time.Second)
}

// GetCertificate answers the fake store's root for rootID.
func (f *fakePCA) GetCertificate(_ context.Context, _ int64, id int64) (*wire.Certificate, error) {
	if id != rootID {
		return nil, &pca.Error{Op: "GetCertificate", HTTPStatus: http.StatusNotFound, ResultCode: 40400, ResultMessage: "certificate not found"}
	}
	return &wire.Certificate{CertificateID: rootID, CertificatePem: f.ca.certPEM}, nil
}

func (f *fakePCA) FindLeaf(_ context.Context, _ int64, _ string, _ time.Time, match func(*wire.Certificate) bool) (*wire.Certificate, error) {
	if f.adopt == nil {
		return nil, nil
	}
	leaf, err := f.ca.sign(f.adopt, time.Hour)
	if err != nil || !match(leaf) {
		return nil, err
	}
	return leaf, nil
}

func (f *fakePCA) calls() []issued {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]issued(nil), f.issued...)
}

// testCA is a self-signed P-256 root that signs leaves.
type testCA struct {
	key     *ecdsa.PrivateKey
	cert    *x509.Certificate
	certPEM string
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test root"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(10 * 365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{key: key, cert: cert, certPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))}
}

// sign issues a leaf for csrPEM valid for ttl, as certificate 100 with
// serial 0A.
func (ca *testCA) sign(csrPEM []byte, ttl time.Duration) (*wire.Certificate, error) {
	block, _ := pem.Decode(csrPEM)
	if block == nil {
		return nil, fmt.Errorf("no CSR")
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(10), Subject: csr.Subject, DNSNames: csr.DNSNames,
		NotBefore: now, NotAfter: now.Add(ttl), KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, csr.PublicKey, ca.key)
	if err != nil {
		return nil, err
	}
	return &wire.Certificate{
		CertificateID: 100, SerialNumber: "0A", CommonName: csr.Subject.CommonName, IsLeaf: true,
		CertificatePem:      string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		ChainCertificatePem: ca.certPEM,
	}, nil
}

// csrPEM returns a fresh P-256 CSR for commonName.
func csrPEM(t *testing.T, commonName string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: commonName}, DNSNames: []string{commonName},
	}, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

// readyIssuer is PCAIssuer team/pca, Ready for its generation.
func readyIssuer() *v1alpha1.PCAIssuer {
	iss := &v1alpha1.PCAIssuer{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "pca", Generation: 1},
		Spec:       v1alpha1.PCAIssuerSpec{CAStoreID: storeID, TemplateID: templateID, AllowedTemplateIDs: []int64{otherID}},
	}
	setReadyCondition(iss, metav1.ConditionTrue, v1alpha1.ReasonChecked, "checked")
	return iss
}

// readyClusterIssuer is PCAClusterIssuer csr-issuer, Ready.
func readyClusterIssuer() *v1alpha1.PCAClusterIssuer {
	iss := &v1alpha1.PCAClusterIssuer{
		ObjectMeta: metav1.ObjectMeta{Name: "csr-issuer", Generation: 1},
		Spec:       v1alpha1.PCAIssuerSpec{CAStoreID: storeID, TemplateID: templateID, AllowedTemplateIDs: []int64{otherID}},
	}
	setReadyCondition(iss, metav1.ConditionTrue, v1alpha1.ReasonChecked, "checked")
	return iss
}

func setReadyCondition(iss issuerObject, status metav1.ConditionStatus, reason, message string) {
	iss.GetStatus().Conditions = []metav1.Condition{{
		Type: v1alpha1.ConditionReady, Status: status, Reason: reason, Message: message,
		ObservedGeneration: iss.GetGeneration(), LastTransitionTime: created,
	}}
}

// approvedCR is CertificateRequest team/web for PCAIssuer pca, approved,
// with a one-hour duration.
func approvedCR(t *testing.T) *cmapi.CertificateRequest {
	return &cmapi.CertificateRequest{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "web", CreationTimestamp: created},
		Spec: cmapi.CertificateRequestSpec{
			Request:   csrPEM(t, "web.example.internal"),
			Duration:  &metav1.Duration{Duration: time.Hour},
			IssuerRef: cmmeta.IssuerReference{Group: v1alpha1.GroupVersion.Group, Kind: kindIssuer, Name: "pca"},
			Usages:    []cmapi.KeyUsage{cmapi.UsageDigitalSignature},
		},
		Status: cmapi.CertificateRequestStatus{Conditions: []cmapi.CertificateRequestCondition{
			{Type: cmapi.CertificateRequestConditionApproved, Status: cmmeta.ConditionTrue, Reason: "cert-manager.io"},
		}},
	}
}

// approvedCSR is CertificateSigningRequest web for PCAClusterIssuer
// csr-issuer, approved, with spec.expirationSeconds one hour.
func approvedCSR(t *testing.T) *certificatesv1.CertificateSigningRequest {
	expiration := int32(3600)
	return &certificatesv1.CertificateSigningRequest{
		ObjectMeta: metav1.ObjectMeta{Name: "web", CreationTimestamp: created, UID: "uid-web"},
		Spec: certificatesv1.CertificateSigningRequestSpec{
			Request: csrPEM(t, "web.example.internal"), SignerName: SignerPrefixClusterIssuer + "csr-issuer",
			ExpirationSeconds: &expiration, Usages: []certificatesv1.KeyUsage{certificatesv1.UsageDigitalSignature},
			Username: "alice",
		},
		Status: certificatesv1.CertificateSigningRequestStatus{Conditions: []certificatesv1.CertificateSigningRequestCondition{
			{Type: certificatesv1.CertificateApproved, Status: "True", Reason: "ApprovedByTest"},
		}},
	}
}

// fixture is a pipeline on the fake client, a fake PCA, a fake clock and a
// fake event recorder.
type fixture struct {
	client   client.Client
	pca      *fakePCA
	recorder *events.FakeRecorder
	faults   *issuerFaults
	p        *pipeline
	crr      *CertificateRequestReconciler
	csrr     *CertificateSigningRequestReconciler
}

// fixtureOption changes a fixture's pieces before the pipeline is built.
type fixtureOption func(*fake.ClientBuilder, *fixture)

// withReferenceAllowed answers the SubjectAccessReviews of namespaced
// signers.
func withReferenceAllowed(allowed bool) fixtureOption {
	return func(b *fake.ClientBuilder, _ *fixture) {
		b.WithInterceptorFuncs(interceptor.Funcs{Create: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.CreateOption) error {
			if sar, ok := obj.(*authzv1.SubjectAccessReview); ok {
				sar.Status.Allowed = allowed
				return nil
			}
			return c.Create(ctx, obj, opts...)
		}})
	}
}

func newFixture(t *testing.T, objs []client.Object, opts ...fixtureOption) *fixture {
	t.Helper()
	scheme, err := NewScheme()
	if err != nil {
		t.Fatal(err)
	}
	b := fake.NewClientBuilder().WithScheme(scheme).WithObjects(objs...).
		WithStatusSubresource(&cmapi.CertificateRequest{}, &certificatesv1.CertificateSigningRequest{}, &v1alpha1.PCAIssuer{}, &v1alpha1.PCAClusterIssuer{}).
		WithIndex(&cmapi.CertificateRequest{}, issuerRefIndex, certificateRequestIssuerRef).
		WithIndex(&certificatesv1.CertificateSigningRequest{}, signerNameIndex, csrSignerName)
	f := &fixture{pca: newFakePCA(t), recorder: events.NewFakeRecorder(100), faults: newIssuerFaults()}
	for _, o := range opts {
		o(b, f)
	}
	f.client = b.Build()
	f.p = &pipeline{
		client: f.client, apiReader: f.client, templates: newTemplateCache(time.Hour), faults: f.faults,
		pcaFor:   func(context.Context, v1alpha1.Issuer) (pcaAPI, error) { return f.pca, nil },
		recorder: f.recorder, clock: clocktesting.NewFakePassiveClock(now), opts: testOpts,
	}
	f.crr = &CertificateRequestReconciler{pipeline: f.p}
	f.csrr = &CertificateSigningRequestReconciler{pipeline: f.p, pending: newPendingSet()}
	return f
}

// events returns the events recorded so far, as "Type Reason Note".
func (f *fixture) events() []string { return drainEvents(f.recorder) }

// drainEvents returns the events r recorded and nobody read yet, as
// "Type Reason Note".
func drainEvents(r *events.FakeRecorder) []string {
	var out []string
	for {
		select {
		case e := <-r.Events:
			out = append(out, e)
		default:
			return out
		}
	}
}

// reported returns the issuers reported as faulty so far, as kind/name.
func (f *fixture) reported() []string {
	var out []string
	for kind, ch := range f.faults.byKind {
		for len(ch) > 0 {
			e := <-ch
			out = append(out, kind+" "+client.ObjectKeyFromObject(e.Object).String())
		}
	}
	return out
}
