package trust

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	apiutil "github.com/cert-manager/cert-manager/pkg/api/util"
	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/controller"
	"github.com/nhnpca/pca-issuer/test/harness"
	"github.com/nhnpca/pca-issuer/test/pcaadmin"
)

// nsCounter makes names within this package distinct.
var nsCounter atomic.Int64

// newNamespace creates a namespace of its own for one test.
func newNamespace(t *testing.T) string { return h.NewNamespace(t, "trust") }

func create(t *testing.T, obj client.Object) { h.MustCreate(t, obj) }

// newBundleIssuer creates a credentials Secret and a PCAIssuer publishing
// its bundle in the ConfigMap configMap, with spec changed by edit, and
// waits for it to be Ready.
func newBundleIssuer(t *testing.T, ns, name, configMap string, edit func(*v1alpha1.PCAIssuerSpec)) *v1alpha1.PCAIssuer {
	t.Helper()
	create(t, h.CredentialsSecret(ns, name+"-credentials"))
	spec := h.IssuerSpec(name + "-credentials")
	spec.TrustBundle = &v1alpha1.TrustBundle{ConfigMap: &v1alpha1.ConfigMapKeySelector{Name: configMap}}
	if edit != nil {
		edit(&spec)
	}
	iss := &v1alpha1.PCAIssuer{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: spec}
	create(t, iss)
	if err := h.WaitFor(t.Context(), iss, harness.WaitTimeout, "Ready", func() bool { return iss.Status.IsReady(iss.Generation) }); err != nil {
		t.Fatalf("%v; status: %+v", err, iss.Status)
	}
	return iss
}

// waitBundle waits for the ConfigMap's bundle (key ca.crt) to satisfy
// cond, and returns its certificates.
func waitBundle(t *testing.T, ns, name, what string, cond func([]*x509.Certificate) bool) []*x509.Certificate {
	t.Helper()
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}}
	var certs []*x509.Certificate
	err := h.WaitFor(t.Context(), cm, harness.WaitTimeout, what, func() bool {
		certs = parsePEM(t, []byte(cm.Data[v1alpha1.DefaultTrustBundleKey]))
		return len(certs) > 0 && cond(certs)
	})
	if err != nil {
		t.Fatalf("%v; bundle: %v; events: %s", err, subjects(certs), issuerEvents(t, ns))
	}
	return certs
}

// storeCA reads a CA certificate of the emulator's store.
func storeCA(t *testing.T, pc *pcaadmin.Client, certID int64) *x509.Certificate {
	t.Helper()
	detail, err := pc.GetCertificate(t.Context(), h.PCA.CAStoreID, certID)
	if err != nil {
		t.Fatal(err)
	}
	certs := parsePEM(t, []byte(detail.CertificatePem))
	if len(certs) != 1 {
		t.Fatalf("certificate %d: %d PEM certificates", certID, len(certs))
	}
	return certs[0]
}

func parsePEM(t *testing.T, data []byte) []*x509.Certificate {
	t.Helper()
	var out []*x509.Certificate
	for block, rest := pem.Decode(data); block != nil; block, rest = pem.Decode(rest) {
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

func fingerprint(c *x509.Certificate) [32]byte { return sha256.Sum256(c.Raw) }

// holds reports whether certs holds every one of want.
func holds(certs []*x509.Certificate, want ...*x509.Certificate) bool {
	for _, w := range want {
		if !slices.ContainsFunc(certs, func(c *x509.Certificate) bool { return fingerprint(c) == fingerprint(w) }) {
			return false
		}
	}
	return true
}

func subjects(certs []*x509.Certificate) []string {
	out := make([]string, 0, len(certs))
	for _, c := range certs {
		out = append(out, c.Subject.CommonName)
	}
	return out
}

// secretChain reads the Certificate's Secret and parses tls.crt.
func secretChain(t *testing.T, crt *cmapi.Certificate) []*x509.Certificate {
	t.Helper()
	var secret corev1.Secret
	if err := h.Client.Get(t.Context(), client.ObjectKey{Namespace: crt.Namespace, Name: crt.Spec.SecretName}, &secret); err != nil {
		t.Fatal(err)
	}
	return parsePEM(t, secret.Data[corev1.TLSCertKey])
}

// verifyWithBundle verifies leaf for server authentication with only the
// bundle: its self-signed certificates as roots, the others as
// intermediates (the Secret's own intermediates are not used).
func verifyWithBundle(leaf *x509.Certificate, bundle []*x509.Certificate) ([][]*x509.Certificate, error) {
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	for _, c := range bundle {
		if c.CheckSignatureFrom(c) == nil {
			roots.AddCert(c)
		} else {
			inter.AddCert(c)
		}
	}
	return leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
}

// opensslVerify runs `openssl verify -CAfile bundle leaf`. The absence of
// openssl fails the test unless PCA_SKIP_OPENSSL=1.
func opensslVerify(t *testing.T, bundlePEM string, leaf *x509.Certificate) {
	t.Helper()
	bin, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("PCA_SKIP_OPENSSL") == "1" {
			t.Log("openssl not found and PCA_SKIP_OPENSSL=1: verified with crypto/x509 only")
			return
		}
		t.Fatalf("openssl not found (%v); install it or set PCA_SKIP_OPENSSL=1", err)
	}
	dir := t.TempDir()
	bundleFile, leafFile := filepath.Join(dir, "bundle.pem"), filepath.Join(dir, "leaf.pem")
	if err := os.WriteFile(bundleFile, []byte(bundlePEM), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(leafFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "verify", "-CAfile", bundleFile, "-purpose", "sslserver", leafFile).CombinedOutput()
	if err != nil || !strings.Contains(string(out), ": OK") {
		t.Fatalf("openssl verify with the bundle: %v\n%s", err, out)
	}
}

// renew forces the Certificate to renew, as `cmctl renew` does, and waits
// for its Secret to hold a certificate other than old.
func renew(t *testing.T, crt *cmapi.Certificate, old *x509.Certificate) []*x509.Certificate {
	t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := h.Client.Get(t.Context(), client.ObjectKeyFromObject(crt), crt); err != nil {
			return err
		}
		apiutil.SetCertificateCondition(crt, crt.Generation, cmapi.CertificateConditionIssuing, cmmeta.ConditionTrue, "ManuallyTriggered", "Renewal forced by the test")
		return h.Client.Status().Update(t.Context(), crt)
	})
	if err != nil {
		t.Fatal(err)
	}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: crt.Namespace, Name: crt.Spec.SecretName}}
	var chain []*x509.Certificate
	err = h.WaitFor(t.Context(), secret, harness.WaitTimeout, "renewed", func() bool {
		chain = parsePEM(t, secret.Data[corev1.TLSCertKey])
		return len(chain) > 0 && chain[0].SerialNumber.Cmp(old.SerialNumber) != 0
	})
	if err != nil {
		t.Fatal(err)
	}
	return chain
}

// waitCertificateReady waits for the Certificate's Ready condition.
func waitCertificateReady(t *testing.T, crt *cmapi.Certificate) {
	t.Helper()
	if err := h.WaitFor(t.Context(), crt, harness.WaitTimeout, "Ready", func() bool { return harness.CertificateReady(crt) }); err != nil {
		t.Fatalf("%v; conditions: %+v", err, crt.Status.Conditions)
	}
}

// issuerEvents lists the trust bundle events of a namespace, to explain a
// failed wait and to assert on.
func issuerEvents(t *testing.T, ns string) string {
	var list eventsv1.EventList
	if err := h.Client.List(t.Context(), &list, client.InNamespace(ns)); err != nil {
		return err.Error()
	}
	var out []string
	for _, e := range list.Items {
		if strings.HasPrefix(e.Reason, "TrustBundle") {
			out = append(out, e.Type+" "+e.Reason+": "+e.Note)
		}
	}
	return strings.Join(out, " | ")
}

// clusterTrustBundlesServed asks discovery whether certificates.k8s.io/v1
// serves ClusterTrustBundles.
func clusterTrustBundlesServed(t *testing.T) bool {
	t.Helper()
	dc, err := discovery.NewDiscoveryClientForConfig(h.Config)
	if err != nil {
		t.Fatal(err)
	}
	list, err := dc.ServerResourcesForGroupVersion(certificatesv1.SchemeGroupVersion.String())
	if err != nil {
		t.Fatal(err)
	}
	return slices.ContainsFunc(list.APIResources, func(r metav1.APIResource) bool { return r.Name == "clustertrustbundles" })
}

// clusterTrustBundleName is the name of a PCAIssuer's ClusterTrustBundle.
func clusterTrustBundleName(iss *v1alpha1.PCAIssuer) string {
	return strings.ReplaceAll(controller.SignerPrefixIssuer, "/", ":") + iss.Namespace + "." + iss.Name + ":ca"
}

func keyOf(ns, name string) client.ObjectKey { return client.ObjectKey{Namespace: ns, Name: name} }

// waitEvent waits for a trust bundle event of the namespace whose
// "Type Reason: note" holds every one of parts.
func waitEvent(t *testing.T, ns string, parts ...string) {
	t.Helper()
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, harness.WaitTimeout, true, func(context.Context) (bool, error) {
		for _, e := range strings.Split(issuerEvents(t, ns), " | ") {
			if allIn(e, parts) {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("no event with %q: %v; events: %s", parts, err, issuerEvents(t, ns))
	}
}

func allIn(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
