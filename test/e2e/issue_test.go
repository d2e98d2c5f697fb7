package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"strings"
	"testing"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

// TestCertificateThroughPCAIssuer: a Certificate for a PCAIssuer becomes a
// Secret whose tls.crt verifies against ca.crt and carries exactly the
// requested names, for EC and RSA keys.
func TestCertificateThroughPCAIssuer(t *testing.T) {
	ns := newNamespace(t)
	// The PCA enforces a template's key algorithm: one issuer per template.
	ecIssuer := newIssuer(t, ns, "pca-ec")
	rsaTemplate, err := h.CreateLeafTemplate(t.Context(), "server-client-rsa", "RSA", 2048)
	if err != nil {
		t.Fatal(err)
	}
	create(t, h.CredentialsSecret(ns, "rsa-credentials"))
	rsaSpec := h.IssuerSpec("rsa-credentials")
	rsaSpec.TemplateID = rsaTemplate
	rsaIssuer := &v1alpha1.PCAIssuer{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "pca-rsa"}, Spec: rsaSpec}
	create(t, rsaIssuer)
	for _, iss := range []*v1alpha1.PCAIssuer{ecIssuer, rsaIssuer} {
		if cond := waitIssuerReady(t, iss, metav1.ConditionTrue, v1alpha1.ReasonChecked); cond.Message == "" {
			t.Error("Ready condition has no message")
		}
	}
	cases := []struct {
		name   string
		issuer string
		alg    cmapi.PrivateKeyAlgorithm
		size   int
		dns    []string
		ips    []string
	}{
		{"ecdsa-p256-dns-and-ip", "pca-ec", cmapi.ECDSAKeyAlgorithm, 256, []string{"web.example.internal", "www.example.internal"}, []string{"10.0.0.7"}},
		{"rsa-2048-dns-and-ip", "pca-rsa", cmapi.RSAKeyAlgorithm, 2048, []string{"api.example.internal"}, []string{"192.168.10.1", "fd00::1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			crt := certificateFor(ns, tc.name, pcaIssuerRef(tc.issuer), tc.alg, tc.size, tc.dns, tc.ips)
			create(t, crt)
			waitCertificateReady(t, crt)
			chain, root, secret := issuedChain(t, crt)
			verifyChain(t, chain, root)
			assertNames(t, chain[0], tc.dns, tc.ips)
			assertKeyType(t, chain[0], tc.alg, tc.size)
			if secret.Type != corev1.SecretTypeTLS {
				t.Errorf("Secret type = %s, want %s", secret.Type, corev1.SecretTypeTLS)
			}
			if got := h.Emulator.IssuanceCountFor(chain[0].PublicKey); got != 1 {
				t.Errorf("PCA issuance calls for this key = %d, want 1", got)
			}
		})
	}
}

// assertKeyType checks the leaf's public key is of the requested kind.
func assertKeyType(t *testing.T, leaf *x509.Certificate, alg cmapi.PrivateKeyAlgorithm, size int) {
	t.Helper()
	switch pub := leaf.PublicKey.(type) {
	case *ecdsa.PublicKey:
		if alg != cmapi.ECDSAKeyAlgorithm || pub.Curve != elliptic.P256() {
			t.Errorf("leaf key is ECDSA %s, want %s %d", pub.Curve.Params().Name, alg, size)
		}
	case *rsa.PublicKey:
		if alg != cmapi.RSAKeyAlgorithm || pub.N.BitLen() != size {
			t.Errorf("leaf key is RSA %d, want %s %d", pub.N.BitLen(), alg, size)
		}
	default:
		t.Errorf("leaf key is %T, want %s", pub, alg)
	}
}

// TestCertificateThroughPCAClusterIssuer: a PCAClusterIssuer reads its
// Secret from the cluster resource namespace and signs for any namespace.
func TestCertificateThroughPCAClusterIssuer(t *testing.T) {
	name := "cluster-pca"
	create(t, h.CredentialsSecret(h.ClusterResourceNamespace, name+"-credentials"))
	iss := &v1alpha1.PCAClusterIssuer{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: h.IssuerSpec(name + "-credentials")}
	create(t, iss)
	waitIssuerReady(t, iss, metav1.ConditionTrue, v1alpha1.ReasonChecked)

	ns := newNamespace(t)
	ref := cmmeta.IssuerReference{Group: v1alpha1.GroupVersion.Group, Kind: "PCAClusterIssuer", Name: name}
	crt := certificateFor(ns, "via-cluster-issuer", ref, cmapi.ECDSAKeyAlgorithm, 256, []string{"svc.example.internal"}, nil)
	create(t, crt)
	waitCertificateReady(t, crt)
	chain, root, _ := issuedChain(t, crt)
	verifyChain(t, chain, root)
	assertNames(t, chain[0], []string{"svc.example.internal"}, nil)
}

// TestIssuerCannotReadAnotherNamespacesSecret: a PCAIssuer naming a Secret
// that exists only in another namespace stays not Ready.
func TestIssuerCannotReadAnotherNamespacesSecret(t *testing.T) {
	other := newNamespace(t)
	create(t, h.CredentialsSecret(other, "elsewhere"))
	ns := newNamespace(t)
	iss := &v1alpha1.PCAIssuer{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "pca"}, Spec: h.IssuerSpec("elsewhere")}
	create(t, iss)
	cond := waitIssuerReady(t, iss, metav1.ConditionFalse, v1alpha1.ReasonSecretNotFound)
	if want := ns + "/elsewhere"; !strings.Contains(cond.Message, want) {
		t.Errorf("message %q does not name the Secret %s", cond.Message, want)
	}
	// A PCAClusterIssuer does not read it from there either.
	ciss := &v1alpha1.PCAClusterIssuer{ObjectMeta: metav1.ObjectMeta{Name: "reads-" + other}, Spec: h.IssuerSpec("elsewhere")}
	create(t, ciss)
	waitIssuerReady(t, ciss, metav1.ConditionFalse, v1alpha1.ReasonSecretNotFound)
}
