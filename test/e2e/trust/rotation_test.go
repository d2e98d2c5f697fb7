package trust

import (
	"crypto/x509"
	"testing"

	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
	"github.com/nhnpca/pca-issuer/test/harness"
)

// TestRootRotation: a new root and intermediate are made in the issuer's
// store and the issuer's template is moved under them (the PCA API's
// template modify, parentCertId). Both roots are in the bundle while the
// Certificate's Secret still holds a certificate of the old root; once the
// Certificate is renewed under the new root, the old root and
// intermediate leave the bundle, with an event naming them, and the
// ClusterTrustBundle follows.
func TestRootRotation(t *testing.T) {
	ctx := t.Context()
	ns := newNamespace(t)
	pc, err := h.PCAClient()
	if err != nil {
		t.Fatal(err)
	}
	// A template of this test's own, so that moving it touches no other
	// issuer of the package.
	maxTTL := int64(365 * 24 * 3600)
	tmplReq := wire.TemplateRequest{
		Name: "rotating-ec", ParentCertID: h.PCA.IntermediateCertID, MaxTTL: &maxTTL,
		AllowIPSans: true, UseCsrCommonName: true, UseCsrSans: true,
		KeyInfo:          wire.KeyInfo{Algorithm: wire.KeyAlgorithmEC, KeySize: 256},
		KeyUsage:         []string{wire.KeyUsageDigitalSignature, wire.KeyUsageKeyEncipherment},
		ExtendedKeyUsage: []string{wire.ExtKeyUsageServerAuth, wire.ExtKeyUsageClientAuth},
	}
	created, err := pc.CreateTemplate(ctx, h.PCA.CAStoreID, tmplReq)
	if err != nil {
		t.Fatal(err)
	}
	iss := newBundleIssuer(t, ns, "pca", "pca-ca", func(s *v1alpha1.PCAIssuerSpec) {
		s.TemplateID, s.AllowedTemplateIDs = created.TemplateID, nil
	})
	oldRoot, oldInter := storeCA(t, pc, h.PCA.RootCertID), storeCA(t, pc, h.PCA.IntermediateCertID)
	waitBundle(t, ns, "pca-ca", "holding the old root", func(c []*x509.Certificate) bool { return holds(c, oldRoot, oldInter) })

	crt := harness.Certificate(ns, "web", "pca")
	create(t, crt)
	waitCertificateReady(t, crt)
	oldChain := secretChain(t, crt)

	// The rotation: a new hierarchy in the same store, and the template
	// moved under it.
	maxDepth := 1
	newRootDetail, err := pc.IssueIssuerCertificate(ctx, h.PCA.CAStoreID, wire.IssuerCertRequest{
		CertificateType: wire.TypeRoot, Name: "Rotated Root CA", SubjectInfo: wire.SubjectInfo{CommonName: "PCA Emulator Rotated Root CA"},
		TTLValue: 315_360_000, MaxDepth: &maxDepth, KeyInfo: wire.KeyInfo{Algorithm: wire.KeyAlgorithmEC, KeySize: 256}, SignatureAlgorithm: wire.SHA256WithECDSA,
	})
	if err != nil {
		t.Fatal(err)
	}
	newInterDetail, err := pc.IssueIssuerCertificate(ctx, h.PCA.CAStoreID, wire.IssuerCertRequest{
		CertificateType: wire.TypeIntermediate, ParentCertID: newRootDetail.CertificateID, Name: "Rotated Intermediate CA",
		SubjectInfo: wire.SubjectInfo{CommonName: "PCA Emulator Rotated Intermediate CA"},
		TTLValue:    157_680_000, KeyInfo: wire.KeyInfo{Algorithm: wire.KeyAlgorithmEC, KeySize: 256}, SignatureAlgorithm: wire.SHA256WithECDSA,
	})
	if err != nil {
		t.Fatal(err)
	}
	newRoot, newInter := storeCA(t, pc, newRootDetail.CertificateID), storeCA(t, pc, newInterDetail.CertificateID)
	tmplReq.ParentCertID = newInterDetail.CertificateID
	if err := pc.ModifyTemplate(ctx, h.PCA.CAStoreID, created.TemplateID, tmplReq); err != nil {
		t.Fatal(err)
	}

	during := waitBundle(t, ns, "pca-ca", "holding the new root", func(c []*x509.Certificate) bool { return holds(c, newRoot, newInter) })
	if !holds(during, oldRoot, oldInter) {
		t.Fatalf("the old root left the bundle while the Secret still holds a certificate of it: %v", subjects(during))
	}
	if _, err := verifyWithBundle(oldChain[0], during); err != nil {
		t.Errorf("during the rotation the bundle does not verify the certificate in use: %v", err)
	}
	cm := &corev1.ConfigMap{}
	if err := h.Client.Get(ctx, keyOf(ns, "pca-ca"), cm); err != nil {
		t.Fatal(err)
	}
	if cm.Annotations[v1alpha1.AnnotationRetiredCAs] == "" {
		t.Errorf("no record of the retired root: annotations %v", cm.Annotations)
	}
	waitEvent(t, ns, "Normal TrustBundleUpdated", `added root "`+newRoot.Subject.String()+`"`)

	newChain := renew(t, crt, oldChain[0])
	if _, err := verifyWithBundle(newChain[0], []*x509.Certificate{newRoot, newInter}); err != nil {
		t.Fatalf("the renewed certificate does not chain to the new root: %v", err)
	}
	after := waitBundle(t, ns, "pca-ca", "without the old root", func(c []*x509.Certificate) bool {
		return !holds(c, oldRoot) && !holds(c, oldInter)
	})
	if !holds(after, newRoot, newInter) || len(after) != 2 {
		t.Errorf("after the renewal the bundle holds %v, want the new intermediate and root", subjects(after))
	}
	if _, err := verifyWithBundle(newChain[0], after); err != nil {
		t.Errorf("the bundle does not verify the renewed certificate: %v", err)
	}
	waitEvent(t, ns, "Normal TrustBundleUpdated", `removed root "`+oldRoot.Subject.String()+`"`, `removed intermediate "`+oldInter.Subject.String()+`"`)

	ctb := &certificatesv1.ClusterTrustBundle{ObjectMeta: metav1.ObjectMeta{Name: clusterTrustBundleName(iss)}}
	err = h.WaitFor(ctx, ctb, harness.WaitTimeout, "holding the new roots only", func() bool {
		c := parsePEM(t, []byte(ctb.Spec.TrustBundle))
		return holds(c, newRoot, newInter) && !holds(c, oldRoot) && len(c) == 2
	})
	if err != nil {
		t.Fatalf("%v; events: %s", err, issuerEvents(t, ns))
	}
}
