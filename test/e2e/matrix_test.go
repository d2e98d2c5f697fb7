package e2e

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	experimentalapi "github.com/cert-manager/cert-manager/pkg/apis/experimental/v1alpha1"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	apiutil "github.com/cert-manager/cert-manager/pkg/api/util"
	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	"github.com/cert-manager/cert-manager/pkg/util/pki"
	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/controller"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
	"github.com/nhnpca/pca-issuer/internal/signer"
	"github.com/nhnpca/pca-issuer/test/harness"
)

// This file is the feature matrix: each row is a request a user may make,
// run for a PCAIssuer and a PCAClusterIssuer, through cert-manager and as a
// Kubernetes CertificateSigningRequest. A supported row must give a
// certificate with the requested names, key and duration after exactly one
// PCA issuance call; an unsupported row must fail with a message naming the
// limit after at most one (exactly the row's wantCalls). Through
// cert-manager, supported rows are Certificates (the whole path to the
// Secret) and unsupported rows are CertificateRequests, which cert-manager
// does not retry.

// oidUPN is Microsoft's User Principal Name otherName.
const oidUPN = "1.3.6.1.4.1.311.20.2.3"

// matrixDomain is the DNS suffix of the matrix's names and the host its
// templates whitelist in URI SANs.
const matrixDomain = "matrix.example"

// requestDurationAnnotation is cert-manager's duration of a Kubernetes CSR
// (pki.DurationFromCertificateSigningRequest).
const requestDurationAnnotation = "experimental.cert-manager.io/request-duration"

// matrixSetup is what the rows share: one template per key kind whitelisting
// the matrix's URI and otherName SANs, and an issuer of each kind listing
// them all.
type matrixSetup struct {
	ns              string
	templates       map[string]int64 // by keyInfo, e.g. "EC 384"
	backDate        time.Duration
	issuer, cluster string
	// bootstrapIssuer and bootstrapCluster list only the emulator's
	// bootstrap templates (RSA 2048, EC P-256, Ed25519), as
	// harness.IssuerSpec does.
	bootstrapIssuer, bootstrapCluster string
}

var (
	matrixOnce  sync.Once
	matrixState *matrixSetup
	matrixErr   error
)

// setUpMatrix creates the templates and issuers once and waits for both
// issuers to be Ready.
func setUpMatrix(t *testing.T) *matrixSetup {
	t.Helper()
	matrixOnce.Do(func() { matrixState, matrixErr = createMatrix(t) })
	if matrixErr != nil {
		t.Fatal(matrixErr)
	}
	return matrixState
}

func createMatrix(t *testing.T) (*matrixSetup, error) {
	ctx := h.Context()
	pc, err := h.PCAClient()
	if err != nil {
		return nil, err
	}
	suffix := time.Now().UnixNano() % 100000
	m := &matrixSetup{ns: newNamespace(t), templates: map[string]int64{}, issuer: "matrix", cluster: fmt.Sprintf("matrix-%d", suffix),
		bootstrapIssuer: "matrix-bootstrap", bootstrapCluster: fmt.Sprintf("matrix-bootstrap-%d", suffix)}
	maxTTL := int64(365 * 24 * 3600)
	for _, k := range []wire.KeyInfo{{Algorithm: "RSA", KeySize: 2048}, {Algorithm: "EC", KeySize: 256}, {Algorithm: "EC", KeySize: 384}, {Algorithm: "EC", KeySize: 521}, {Algorithm: "ED25519"}} {
		created, err := pc.CreateTemplate(ctx, h.PCA.CAStoreID, wire.TemplateRequest{
			Name: fmt.Sprintf("matrix-%s-%d", strings.ToLower(k.Algorithm), k.KeySize), ParentCertID: h.PCA.IntermediateCertID, MaxTTL: &maxTTL,
			AllowIPSans: true, UseCsrCommonName: true, UseCsrSans: true, KeyInfo: k,
			URLSansWhitelist:   []string{"spiffe://" + matrixDomain + "/*"},
			OtherSansWhitelist: []wire.OidInfo{{OID: oidUPN, Type: signer.OtherNameUTF8String, Value: "*@" + matrixDomain}},
			KeyUsage:           []string{wire.KeyUsageDigitalSignature, wire.KeyUsageKeyEncipherment},
			ExtendedKeyUsage:   []string{wire.ExtKeyUsageServerAuth, wire.ExtKeyUsageClientAuth},
		})
		if err != nil {
			return nil, err
		}
		m.templates[fmt.Sprintf("%s %d", k.Algorithm, k.KeySize)] = created.TemplateID
	}
	tmpl, err := pc.GetTemplate(ctx, h.PCA.CAStoreID, m.templates["RSA 2048"])
	if err != nil {
		return nil, err
	}
	m.backDate = time.Duration(tmpl.BackDateValidation) * time.Second
	spec := func(secret string) v1alpha1.PCAIssuerSpec {
		s := h.IssuerSpec(secret)
		s.TemplateID = m.templates["RSA 2048"]
		s.AllowedTemplateIDs = []int64{m.templates["EC 256"], m.templates["EC 384"], m.templates["EC 521"], m.templates["ED25519 0"]}
		return s
	}
	if err := h.Client.Create(ctx, h.CredentialsSecret(m.ns, "matrix-credentials")); err != nil {
		return nil, err
	}
	if err := h.Client.Create(ctx, h.CredentialsSecret(h.ClusterResourceNamespace, m.cluster+"-credentials")); err != nil {
		return nil, err
	}
	issuers := []v1alpha1.Issuer{
		&v1alpha1.PCAIssuer{ObjectMeta: metav1.ObjectMeta{Namespace: m.ns, Name: m.issuer}, Spec: spec("matrix-credentials")},
		&v1alpha1.PCAClusterIssuer{ObjectMeta: metav1.ObjectMeta{Name: m.cluster}, Spec: spec(m.cluster + "-credentials")},
		&v1alpha1.PCAIssuer{ObjectMeta: metav1.ObjectMeta{Namespace: m.ns, Name: m.bootstrapIssuer}, Spec: h.IssuerSpec("matrix-credentials")},
		&v1alpha1.PCAClusterIssuer{ObjectMeta: metav1.ObjectMeta{Name: m.bootstrapCluster}, Spec: h.IssuerSpec(m.cluster + "-credentials")},
	}
	for _, iss := range issuers {
		if err := h.Client.Create(ctx, iss.(client.Object)); err != nil {
			return nil, err
		}
	}
	for _, iss := range issuers {
		obj := iss.(client.Object)
		if err := h.WaitFor(ctx, obj, harness.WaitTimeout, "Ready", func() bool { return iss.GetStatus().IsReady(obj.GetGeneration()) }); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// issuerName names the issuer of kind a row uses.
func (m *matrixSetup) issuerName(kind string, row matrixRow) string {
	switch {
	case kind == "PCAClusterIssuer" && row.bootstrapTemplates:
		return m.bootstrapCluster
	case kind == "PCAClusterIssuer":
		return m.cluster
	case row.bootstrapTemplates:
		return m.bootstrapIssuer
	}
	return m.issuer
}

// issuerRef names a row's issuer for a Certificate.
func (m *matrixSetup) issuerRef(kind string, row matrixRow) cmmeta.IssuerReference {
	return cmmeta.IssuerReference{Group: v1alpha1.GroupVersion.Group, Kind: kind, Name: m.issuerName(kind, row)}
}

// signerName names a row's issuer for a Kubernetes CSR.
func (m *matrixSetup) signerName(kind string, row matrixRow) string {
	if kind == "PCAClusterIssuer" {
		return controller.SignerPrefixClusterIssuer + m.issuerName(kind, row)
	}
	return controller.SignerPrefixIssuer + m.ns + "." + m.issuerName(kind, row)
}

// matrixRow is one request of the matrix.
type matrixRow struct {
	name string
	// spec is the Certificate's spec (issuerRef and secretName are set per
	// run); a Kubernetes CSR is made from it by cert-manager's own code.
	spec cmapi.CertificateSpec
	// annotations go on the Certificate (copied to its request) or the CSR.
	annotations map[string]string
	// expirationSeconds is the CSR's spec.expirationSeconds.
	expirationSeconds *int32
	// bootstrapTemplates sends the row to the issuers of the bootstrap
	// templates only (RSA 2048, EC P-256, Ed25519).
	bootstrapTemplates bool
	// only limits the row to one request kind ("cert-manager", "CSR").
	only string
	// wantDuration is the certificate's validity without back-dating; zero
	// means spec.duration.
	wantDuration time.Duration
	// wantText, when set, makes the row unsupported: the request fails with
	// a message holding it, after wantCalls issuance calls.
	wantText  string
	wantCalls int
	// wantWarning is the reason of a Warning event the CertificateRequest
	// of a supported row gets, with wantText in its note.
	wantWarning string
}

// key returns a private key spec for alg and size.
func key(alg cmapi.PrivateKeyAlgorithm, size int) *cmapi.CertificatePrivateKey {
	return &cmapi.CertificatePrivateKey{Algorithm: alg, Size: size}
}

func matrixRows() []matrixRow {
	day := &metav1.Duration{Duration: 24 * time.Hour}
	dns := func(label string) []string { return []string{label + "." + matrixDomain} }
	p256 := key(cmapi.ECDSAKeyAlgorithm, 256)
	keyRow := func(name string, alg cmapi.PrivateKeyAlgorithm, size int) matrixRow {
		return matrixRow{name: name, spec: cmapi.CertificateSpec{DNSNames: dns(name), Duration: day, PrivateKey: key(alg, size)}}
	}
	hour := int32(3600)
	return []matrixRow{
		{name: "cn-only", spec: cmapi.CertificateSpec{CommonName: "cn-only." + matrixDomain, Duration: day, PrivateKey: p256}},
		{name: "one-dns-name", spec: cmapi.CertificateSpec{DNSNames: dns("one"), Duration: day, PrivateKey: p256}},
		{name: "dns-and-cn", spec: cmapi.CertificateSpec{CommonName: "both." + matrixDomain, DNSNames: []string{"both." + matrixDomain, "alt." + matrixDomain}, Duration: day, PrivateKey: p256}},
		{name: "wildcard-and-apex", spec: cmapi.CertificateSpec{DNSNames: []string{"*.wild." + matrixDomain, "wild." + matrixDomain}, Duration: day, PrivateKey: p256}},
		{name: "ip-only", spec: cmapi.CertificateSpec{IPAddresses: []string{"10.20.30.40", "fd00::20"}, Duration: day, PrivateKey: p256}},
		{name: "uri-only", spec: cmapi.CertificateSpec{URIs: []string{"spiffe://" + matrixDomain + "/ns/a/sa/b"}, Duration: day, PrivateKey: p256}},
		{name: "other-name", spec: cmapi.CertificateSpec{CommonName: "alice", DNSNames: dns("alice"), Duration: day, PrivateKey: p256,
			OtherNames: []cmapi.OtherName{{OID: oidUPN, UTF8Value: "alice@" + matrixDomain}}}},
		{name: "certificate-duration", only: "cert-manager", spec: cmapi.CertificateSpec{DNSNames: dns("duration"), Duration: &metav1.Duration{Duration: 2 * time.Hour}, PrivateKey: p256}},
		{name: "csr-duration-annotation", only: "CSR", spec: cmapi.CertificateSpec{DNSNames: dns("annotated"), PrivateKey: p256},
			annotations: map[string]string{requestDurationAnnotation: "2h"}, expirationSeconds: &hour, wantDuration: 2 * time.Hour},
		{name: "csr-expiration-seconds", only: "CSR", spec: cmapi.CertificateSpec{DNSNames: dns("expiring"), PrivateKey: p256},
			expirationSeconds: &hour, wantDuration: time.Hour},
		keyRow("rsa-2048", cmapi.RSAKeyAlgorithm, 2048),
		keyRow("rsa-3072", cmapi.RSAKeyAlgorithm, 3072),
		keyRow("rsa-4096", cmapi.RSAKeyAlgorithm, 4096),
		keyRow("ec-p256", cmapi.ECDSAKeyAlgorithm, 256),
		keyRow("ec-p384", cmapi.ECDSAKeyAlgorithm, 384),
		keyRow("ec-p521", cmapi.ECDSAKeyAlgorithm, 521),
		keyRow("ed25519", cmapi.Ed25519KeyAlgorithm, 0),
		// Limits that warn: the certificate is issued, without the O asked for.
		{name: "subject-not-literal", only: "cert-manager", spec: cmapi.CertificateSpec{DNSNames: dns("org"), Duration: day, PrivateKey: p256,
			Subject: &cmapi.X509Subject{Organizations: []string{"Acme"}}}, wantWarning: v1alpha1.ReasonSubjectNotLiteral, wantText: "O=Acme"},
		// cert-manager's default key: no privateKey section.
		{name: "default-key", only: "cert-manager", spec: cmapi.CertificateSpec{DNSNames: dns("default-key"), Duration: day}},

		// Unsupported: each fails with the limit's message.
		{name: "key-fits-no-template", spec: cmapi.CertificateSpec{DNSNames: dns("nofit"), Duration: day, PrivateKey: key(cmapi.RSAKeyAlgorithm, 2048)},
			annotations: map[string]string{ /* set per run: the EC P-256 template */ }, wantText: "no template of the issuer takes it"},
		{name: "key-fits-no-listed-template", spec: cmapi.CertificateSpec{DNSNames: dns("p384"), Duration: day, PrivateKey: key(cmapi.ECDSAKeyAlgorithm, 384)},
			bootstrapTemplates: true, wantText: "the CSR's key is EC P-384, and no template of the issuer takes it"},
		{name: "email-san", spec: cmapi.CertificateSpec{CommonName: "mail", EmailAddresses: []string{"a@" + matrixDomain}, Duration: day, PrivateKey: p256},
			wantText: "email SANs"},
		{name: "other-name-only", spec: cmapi.CertificateSpec{Duration: day, PrivateKey: p256, OtherNames: []cmapi.OtherName{{OID: oidUPN, UTF8Value: "bob@" + matrixDomain}}},
			wantText: "requires a common name"},
		{name: "common-name-over-64", spec: cmapi.CertificateSpec{CommonName: strings.Repeat("a", 65), Duration: day, PrivateKey: p256},
			wantText: "characters, the PCA allows 64"},
		{name: "ca-certificate", spec: cmapi.CertificateSpec{CommonName: "ca", IsCA: true, Duration: day, PrivateKey: p256},
			wantText: "leaf certificates only"},
		{name: "uri-outside-whitelist", spec: cmapi.CertificateSpec{URIs: []string{"spiffe://elsewhere.example/x"}, Duration: day, PrivateKey: p256},
			wantText: "urlSansWhitelist", wantCalls: 1},
		{name: "other-name-outside-whitelist", spec: cmapi.CertificateSpec{CommonName: "carol", Duration: day, PrivateKey: p256,
			OtherNames: []cmapi.OtherName{{OID: oidUPN, UTF8Value: "carol@elsewhere.example"}}}, wantText: "otherSansWhitelist", wantCalls: 1},
	}
}

// TestFeatureMatrix runs every row for both issuer kinds and both request
// kinds, in parallel.
func TestFeatureMatrix(t *testing.T) {
	m := setUpMatrix(t)
	for _, issuerKind := range []string{"PCAIssuer", "PCAClusterIssuer"} {
		for _, requestKind := range []string{"cert-manager", "CSR"} {
			for _, row := range matrixRows() {
				if row.only != "" && row.only != requestKind {
					continue
				}
				t.Run(issuerKind+"/"+requestKind+"/"+row.name, func(t *testing.T) {
					t.Parallel()
					if row.name == "key-fits-no-template" {
						row.annotations = map[string]string{v1alpha1.AnnotationTemplateID: strconv.FormatInt(m.templates["EC 256"], 10)}
					}
					switch {
					case requestKind == "CSR":
						m.runCSR(t, issuerKind, row)
					case row.wantText != "" && row.wantWarning == "":
						m.runCertificateRequest(t, issuerKind, row)
					default:
						m.runCertificate(t, issuerKind, row)
					}
				})
			}
		}
	}
}

// uniqueName makes a name for one run of a row.
func uniqueName(row string) string {
	return fmt.Sprintf("%s-%d", row, nsCounter.Add(1))
}

// runCertificate runs a row as a cert-manager Certificate.
func (m *matrixSetup) runCertificate(t *testing.T, issuerKind string, row matrixRow) {
	name := uniqueName(row.name)
	crt := &cmapi.Certificate{ObjectMeta: metav1.ObjectMeta{Namespace: m.ns, Name: name, Annotations: row.annotations}, Spec: *row.spec.DeepCopy()}
	crt.Spec.SecretName, crt.Spec.IssuerRef = name+"-tls", m.issuerRef(issuerKind, row)
	create(t, crt)
	waitCertificateReady(t, crt)
	chain, root, _ := issuedChain(t, crt)
	verifyChain(t, chain, root)
	m.assertIssued(t, chain[0], &crt.Spec, row)
	assertOneIssuance(t, chain[0].PublicKey)
	if row.wantWarning != "" {
		waitWarning(t, crt, row.wantWarning, row.wantText)
	}
}

// waitWarning waits for a Warning event of pca-issuer with reason on the
// Certificate's CertificateRequest, whose note holds text.
func waitWarning(t *testing.T, crt *cmapi.Certificate, reason, text string) {
	t.Helper()
	cr, err := h.WaitRequest(t.Context(), crt.Namespace, crt.Name, "Issued", func(*cmapi.CertificateRequest) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	err = wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, harness.WaitTimeout, true, func(ctx context.Context) (bool, error) {
		var list eventsv1.EventList
		if err := h.Client.List(ctx, &list, client.InNamespace(crt.Namespace)); err != nil {
			return false, nil
		}
		seen = seen[:0]
		for _, e := range list.Items {
			if e.Regarding.Name == cr.Name && e.ReportingController == "pca-issuer" {
				seen = append(seen, e.Type+" "+e.Reason+": "+e.Note)
				if e.Type == corev1.EventTypeWarning && e.Reason == reason && strings.Contains(e.Note, text) {
					return true, nil
				}
			}
		}
		return false, nil
	})
	if err != nil {
		t.Errorf("no Warning %s event naming %q on %s: %v; events: %v", reason, text, cr.Name, err, seen)
	}
}

// runCertificateRequest runs an unsupported row as a cert-manager
// CertificateRequest (approved by cert-manager's approver) made by
// cert-manager's code from the row's Certificate spec, and waits for it to
// fail naming the limit.
func (m *matrixSetup) runCertificateRequest(t *testing.T, issuerKind string, row matrixRow) {
	_, csrPEM := certManagerCSR(t, &cmapi.Certificate{Spec: *row.spec.DeepCopy()})
	cr := &cmapi.CertificateRequest{
		ObjectMeta: metav1.ObjectMeta{Namespace: m.ns, Name: uniqueName(row.name), Annotations: row.annotations},
		Spec:       cmapi.CertificateRequestSpec{Request: csrPEM, IsCA: row.spec.IsCA, Duration: row.spec.Duration, IssuerRef: m.issuerRef(issuerKind, row)},
	}
	create(t, cr)
	err := h.WaitFor(t.Context(), cr, harness.WaitTimeout, "Failed", func() bool {
		c := harness.RequestReady(cr)
		return c != nil && (c.Reason == cmapi.CertificateRequestReasonFailed || c.Reason == cmapi.CertificateRequestReasonIssued)
	})
	if err != nil {
		t.Fatal(err)
	}
	if c := harness.RequestReady(cr); c.Reason != cmapi.CertificateRequestReasonFailed || !strings.Contains(c.Message, row.wantText) {
		t.Errorf("Ready condition %s: %q; want Failed naming the limit (%q)", c.Reason, c.Message, row.wantText)
	}
	assertAttempts(t, csrPEM, row.wantCalls)
}

// assertOneIssuance checks that the PCA was called once for the key and
// issued once.
func assertOneIssuance(t *testing.T, pub crypto.PublicKey) {
	t.Helper()
	if calls, issued := h.Emulator.IssuanceAttemptsFor(pub), h.Emulator.IssuanceCountFor(pub); calls != 1 || issued != 1 {
		t.Errorf("PCA issuance calls for this key = %d, issued %d; want 1 and 1", calls, issued)
	}
}

// assertAttempts checks the issuance calls for the key of a PEM CSR.
func assertAttempts(t *testing.T, csrPEM []byte, want int) {
	t.Helper()
	csr, err := pki.DecodeX509CertificateRequestBytes(csrPEM)
	if err != nil {
		t.Fatal(err)
	}
	if got := h.Emulator.IssuanceAttemptsFor(csr.PublicKey); got != want {
		t.Errorf("PCA issuance calls for this key = %d, want %d", got, want)
	}
}

// runCSR runs a row as a Kubernetes CertificateSigningRequest whose CSR
// cert-manager's code makes from the row's Certificate spec.
func (m *matrixSetup) runCSR(t *testing.T, issuerKind string, row matrixRow) {
	crt := &cmapi.Certificate{Spec: *row.spec.DeepCopy()}
	_, csrPEM := certManagerCSR(t, crt)
	annotations := map[string]string{}
	for k, v := range row.annotations {
		annotations[k] = v
	}
	if row.spec.IsCA {
		annotations[experimentalapi.CertificateSigningRequestIsCAAnnotationKey] = "true"
	}
	expiration := row.expirationSeconds
	if expiration == nil && row.spec.Duration != nil {
		secs := int32(row.spec.Duration.Seconds())
		expiration = &secs
	}
	csr := &certificatesv1.CertificateSigningRequest{
		ObjectMeta: metav1.ObjectMeta{Name: uniqueName("matrix-" + row.name), Annotations: annotations},
		Spec: certificatesv1.CertificateSigningRequestSpec{
			Request: csrPEM, SignerName: m.signerName(issuerKind, row), ExpirationSeconds: expiration,
			Usages: []certificatesv1.KeyUsage{certificatesv1.UsageDigitalSignature, certificatesv1.UsageKeyEncipherment, certificatesv1.UsageServerAuth},
		},
	}
	create(t, csr)
	approve(t, csr)
	if row.wantText != "" {
		var failed *certificatesv1.CertificateSigningRequestCondition
		err := h.WaitFor(t.Context(), csr, harness.WaitTimeout, "Failed", func() bool {
			failed = csrCondition(csr, certificatesv1.CertificateFailed)
			return failed != nil || len(csr.Status.Certificate) > 0
		})
		if err != nil {
			t.Fatal(err)
		}
		if failed == nil || !strings.Contains(failed.Message, row.wantText) {
			t.Errorf("CSR Failed condition %+v, want a message naming the limit (%q)", failed, row.wantText)
		}
		assertAttempts(t, csrPEM, row.wantCalls)
		return
	}
	err := h.WaitFor(t.Context(), csr, harness.WaitTimeout, "signed", func() bool {
		return len(csr.Status.Certificate) > 0 || csrCondition(csr, certificatesv1.CertificateFailed) != nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if c := csrCondition(csr, certificatesv1.CertificateFailed); c != nil {
		t.Fatalf("CSR failed: %s: %s", c.Reason, c.Message)
	}
	leaf := parsePEMCertificates(t, csr.Status.Certificate)[0]
	if row.wantDuration == 0 && expiration != nil {
		row.wantDuration = time.Duration(*expiration) * time.Second
	}
	m.assertIssued(t, leaf, &crt.Spec, row)
	assertOneIssuance(t, leaf.PublicKey)
}

// certManagerCSR makes the key and PEM CSR cert-manager makes for crt.
func certManagerCSR(t *testing.T, crt *cmapi.Certificate) (crypto.Signer, []byte) {
	t.Helper()
	key, err := pki.GeneratePrivateKeyForCertificate(crt)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := pki.GenerateCSR(crt, pki.WithOtherNames(true))
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, key)
	if err != nil {
		t.Fatal(err)
	}
	return key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

// approve sets the CSR's Approved condition, as an approver would.
func approve(t *testing.T, csr *certificatesv1.CertificateSigningRequest) {
	t.Helper()
	csr.Status.Conditions = append(csr.Status.Conditions, certificatesv1.CertificateSigningRequestCondition{
		Type: certificatesv1.CertificateApproved, Status: corev1.ConditionTrue, Reason: "ApprovedByTest", Message: "approved by the matrix test",
	})
	if err := h.Client.SubResource("approval").Update(t.Context(), csr); err != nil {
		t.Fatal(err)
	}
}

func csrCondition(csr *certificatesv1.CertificateSigningRequest, typ certificatesv1.RequestConditionType) *certificatesv1.CertificateSigningRequestCondition {
	for i := range csr.Status.Conditions {
		if c := &csr.Status.Conditions[i]; c.Type == typ && c.Status == corev1.ConditionTrue {
			return c
		}
	}
	return nil
}

// assertIssued checks that the leaf carries exactly the requested names,
// a key of the requested kind and the requested duration plus the
// template's back-dating.
func (m *matrixSetup) assertIssued(t *testing.T, leaf *x509.Certificate, spec *cmapi.CertificateSpec, row matrixRow) {
	t.Helper()
	wantCN := spec.CommonName
	if wantCN == "" {
		wantCN = firstOf(spec.DNSNames, spec.IPAddresses, spec.URIs)
	}
	if leaf.Subject.CommonName != wantCN {
		t.Errorf("CN = %q, want %q", leaf.Subject.CommonName, wantCN)
	}
	assertNamesExactly(t, "DNS", leaf.DNSNames, spec.DNSNames)
	var ips, uris []string
	for _, ip := range leaf.IPAddresses {
		ips = append(ips, ip.String())
	}
	for _, u := range leaf.URIs {
		uris = append(uris, u.String())
	}
	assertNamesExactly(t, "IP", ips, spec.IPAddresses)
	assertNamesExactly(t, "URI", uris, spec.URIs)
	var wantOther []string
	for _, o := range spec.OtherNames {
		wantOther = append(wantOther, o.OID+"="+o.UTF8Value)
	}
	assertNamesExactly(t, "otherName", leafOtherNames(t, leaf), wantOther)
	wantKey := "RSA 2048" // cert-manager's default
	if spec.PrivateKey != nil {
		wantKey = describeKeySpec(spec.PrivateKey)
	}
	if got := signer.DescribeKey(leaf.PublicKey); got != wantKey {
		t.Errorf("leaf key %s, want %s", got, wantKey)
	}
	want := row.wantDuration
	if want == 0 {
		want = spec.Duration.Duration
	}
	if got := leaf.NotAfter.Sub(leaf.NotBefore); got < want+m.backDate-2*time.Second || got > want+m.backDate+2*time.Second {
		t.Errorf("validity %s, want %s plus the template's back-dating %s", got, want, m.backDate)
	}
}

// describeKeySpec names a Certificate's key as signer.DescribeKey does.
func describeKeySpec(k *cmapi.CertificatePrivateKey) string {
	switch k.Algorithm {
	case cmapi.ECDSAKeyAlgorithm:
		return fmt.Sprintf("EC P-%d", k.Size)
	case cmapi.Ed25519KeyAlgorithm:
		return "Ed25519"
	}
	if k.Size == 0 {
		return "RSA 2048"
	}
	return fmt.Sprintf("RSA %d", k.Size)
}

func firstOf(lists ...[]string) string {
	for _, l := range lists {
		if len(l) > 0 {
			return l[0]
		}
	}
	return ""
}

// assertNamesExactly compares two sets of names.
func assertNamesExactly(t *testing.T, kind string, got, want []string) {
	t.Helper()
	g, w := slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(normalizeIPs(kind, want)))
	if !slices.Equal(g, w) {
		t.Errorf("%s SANs = %v, want exactly %v", kind, g, w)
	}
}

// normalizeIPs writes IP addresses as net.IP.String does.
func normalizeIPs(kind string, names []string) []string {
	if kind != "IP" {
		return names
	}
	ips, err := pki.IPAddressesFromStrings(names)
	if err != nil {
		return names
	}
	return pki.IPAddressesToString(ips)
}

// leafOtherNames returns the leaf's otherName SANs as "oid=value".
func leafOtherNames(t *testing.T, leaf *x509.Certificate) []string {
	t.Helper()
	var out []string
	for _, ext := range leaf.Extensions {
		if !ext.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 17}) {
			continue
		}
		names, err := pki.UnmarshalSANs(ext.Value)
		if err != nil {
			t.Fatal(err)
		}
		for _, on := range names.OtherNames {
			var inner asn1.RawValue
			if _, err := asn1.Unmarshal(on.Value.Bytes, &inner); err != nil {
				t.Fatal(err)
			}
			uv, err := pki.UnmarshalUniversalValue(inner)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, on.TypeID.String()+"="+uv.UTF8String)
		}
	}
	return out
}

// TestMatrixRenewalAndChange: a Certificate renewed with the same key
// (rotationPolicy Never), renewed with a new key, and changed in its DNS
// names gets a new certificate each time, after one issuance per key and
// change.
func TestMatrixRenewalAndChange(t *testing.T) {
	m := setUpMatrix(t)
	for _, issuerKind := range []string{"PCAIssuer", "PCAClusterIssuer"} {
		for _, tc := range []struct {
			name   string
			policy cmapi.PrivateKeyRotationPolicy
			change bool // change the DNS names instead of forcing a renewal
		}{
			{"renew-same-key", cmapi.RotationPolicyNever, false},
			{"renew-new-key", cmapi.RotationPolicyAlways, false},
			{"change-dns-names", cmapi.RotationPolicyAlways, true},
		} {
			t.Run(issuerKind+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				name := uniqueName(tc.name)
				crt := &cmapi.Certificate{ObjectMeta: metav1.ObjectMeta{Namespace: m.ns, Name: name}, Spec: cmapi.CertificateSpec{
					SecretName: name + "-tls", DNSNames: []string{name + "." + matrixDomain}, Duration: &metav1.Duration{Duration: 24 * time.Hour},
					PrivateKey: &cmapi.CertificatePrivateKey{Algorithm: cmapi.ECDSAKeyAlgorithm, Size: 256, RotationPolicy: tc.policy},
					IssuerRef:  m.issuerRef(issuerKind, matrixRow{}),
				}}
				create(t, crt)
				// Renew only once the first issuance is complete (revision 1,
				// Issuing gone): a trigger before that is taken as the first
				// issuance's own.
				err := h.WaitFor(t.Context(), crt, harness.WaitTimeout, "issued at revision 1", func() bool {
					return harness.CertificateReady(crt) && crt.Status.Revision != nil && *crt.Status.Revision == 1 &&
						apiutil.GetCertificateCondition(crt, cmapi.CertificateConditionIssuing) == nil
				})
				if err != nil {
					t.Fatalf("%v: %s", err, describeRequests(t.Context(), m.ns))
				}
				first, _, _ := issuedChain(t, crt)
				err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
					if err := h.Client.Get(t.Context(), client.ObjectKeyFromObject(crt), crt); err != nil {
						return err
					}
					if tc.change {
						crt.Spec.DNSNames = []string{"changed-" + name + "." + matrixDomain, "second-" + name + "." + matrixDomain}
						return h.Client.Update(t.Context(), crt)
					}
					apiutil.SetCertificateCondition(crt, crt.Generation, cmapi.CertificateConditionIssuing, cmmeta.ConditionTrue, "ManuallyTriggered", "Renewal forced by the matrix test")
					return h.Client.Status().Update(t.Context(), crt)
				})
				if err != nil {
					t.Fatal(err)
				}
				err = h.WaitFor(t.Context(), crt, harness.WaitTimeout, "reissued", func() bool {
					return harness.CertificateReady(crt) && crt.Status.Revision != nil && *crt.Status.Revision >= 2
				})
				if err != nil {
					t.Fatalf("%v: %s", err, describeRequests(t.Context(), m.ns))
				}
				second, root, _ := issuedChain(t, crt)
				verifyChain(t, second, root)
				if second[0].SerialNumber.Cmp(first[0].SerialNumber) == 0 {
					t.Fatal("the certificate was not reissued")
				}
				assertNamesExactly(t, "DNS", second[0].DNSNames, crt.Spec.DNSNames)
				sameKey := first[0].PublicKey.(interface{ Equal(crypto.PublicKey) bool }).Equal(second[0].PublicKey)
				switch {
				case tc.policy == cmapi.RotationPolicyNever && !sameKey:
					t.Error("rotationPolicy Never: the renewed certificate has a new key")
				case tc.policy == cmapi.RotationPolicyNever:
					if got := h.Emulator.IssuanceCountFor(second[0].PublicKey); got != 2 {
						t.Errorf("PCA issuance calls for the kept key = %d, want 2 (issue and renew)", got)
					}
				case sameKey:
					t.Error("rotationPolicy Always: the reissued certificate kept the key")
				default:
					for i, c := range []*x509.Certificate{first[0], second[0]} {
						if got := h.Emulator.IssuanceCountFor(c.PublicKey); got != 1 {
							t.Errorf("PCA issuance calls for key %d = %d, want 1", i+1, got)
						}
					}
				}
			})
		}
	}
}
