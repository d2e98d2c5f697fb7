package e2e

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/test/harness"
)

// nsCounter makes names within this package distinct.
var nsCounter atomic.Int64

// newNamespace creates a namespace of its own for one test.
func newNamespace(t *testing.T) string { return h.NewNamespace(t, "e2e") }

func create(t *testing.T, obj client.Object) { h.MustCreate(t, obj) }

// newIssuer creates a credentials Secret and a PCAIssuer reading it.
func newIssuer(t *testing.T, ns, name string) *v1alpha1.PCAIssuer {
	t.Helper()
	create(t, h.CredentialsSecret(ns, name+"-credentials"))
	iss := &v1alpha1.PCAIssuer{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: h.IssuerSpec(name + "-credentials")}
	create(t, iss)
	return iss
}

// waitIssuerReady waits for the issuer's Ready condition to have status.
func waitIssuerReady(t *testing.T, iss v1alpha1.Issuer, status metav1.ConditionStatus, reason string) *metav1.Condition {
	t.Helper()
	obj := iss.(client.Object)
	var cond *metav1.Condition
	err := h.WaitFor(t.Context(), obj, harness.WaitTimeout, fmt.Sprintf("Ready=%s/%s", status, reason), func() bool {
		cond = meta.FindStatusCondition(iss.GetStatus().Conditions, v1alpha1.ConditionReady)
		return cond != nil && cond.Status == status && cond.Reason == reason && cond.ObservedGeneration == obj.GetGeneration()
	})
	if err != nil {
		t.Fatalf("%v; condition: %+v", err, cond)
	}
	return cond
}

// certificateFor returns a Certificate for issuerRef with the given names.
func certificateFor(ns, name string, ref cmmeta.IssuerReference, alg cmapi.PrivateKeyAlgorithm, size int, dns []string, ips []string) *cmapi.Certificate {
	return &cmapi.Certificate{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: cmapi.CertificateSpec{
			SecretName:  name + "-tls",
			DNSNames:    dns,
			IPAddresses: ips,
			Duration:    &metav1.Duration{Duration: 24 * time.Hour},
			PrivateKey:  &cmapi.CertificatePrivateKey{Algorithm: alg, Size: size},
			IssuerRef:   ref,
		},
	}
}

func pcaIssuerRef(name string) cmmeta.IssuerReference {
	return cmmeta.IssuerReference{Group: v1alpha1.GroupVersion.Group, Kind: "PCAIssuer", Name: name}
}

// waitCertificateReady waits for the Certificate's Ready condition to be
// True for its current generation.
func waitCertificateReady(t *testing.T, crt *cmapi.Certificate) {
	t.Helper()
	err := h.WaitFor(t.Context(), crt, harness.WaitTimeout, "Ready", func() bool { return harness.CertificateReady(crt) })
	if err != nil {
		t.Fatalf("%v; conditions: %+v; requests: %s", err, crt.Status.Conditions, describeRequests(t.Context(), crt.Namespace))
	}
}

// describeRequests lists the Ready conditions of a namespace's
// CertificateRequests, to explain a failed wait.
func describeRequests(ctx context.Context, ns string) string {
	var list cmapi.CertificateRequestList
	if err := h.Client.List(ctx, &list, client.InNamespace(ns)); err != nil {
		return err.Error()
	}
	out := ""
	for _, cr := range list.Items {
		out += fmt.Sprintf("[%s: %+v] ", cr.Name, cr.Status.Conditions)
	}
	return out
}

// issuedChain reads the Certificate's Secret and parses tls.crt and ca.crt.
func issuedChain(t *testing.T, crt *cmapi.Certificate) (chain []*x509.Certificate, root *x509.Certificate, secret *corev1.Secret) {
	t.Helper()
	secret = &corev1.Secret{}
	if err := h.Client.Get(t.Context(), client.ObjectKey{Namespace: crt.Namespace, Name: crt.Spec.SecretName}, secret); err != nil {
		t.Fatal(err)
	}
	chain = parsePEMCertificates(t, secret.Data[corev1.TLSCertKey])
	roots := parsePEMCertificates(t, secret.Data[cmmeta.TLSCAKey])
	if len(chain) < 2 || len(roots) != 1 {
		t.Fatalf("tls.crt has %d certificates (want leaf + intermediate), ca.crt has %d (want 1)", len(chain), len(roots))
	}
	return chain, roots[0], secret
}

func parsePEMCertificates(t *testing.T, data []byte) []*x509.Certificate {
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

// verifyChain checks that chain[0] verifies against root through the rest
// of chain, for server authentication.
func verifyChain(t *testing.T, chain []*x509.Certificate, root *x509.Certificate) {
	t.Helper()
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(root)
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	if _, err := chain[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
		t.Fatalf("tls.crt does not verify against ca.crt: %v", err)
	}
}

// assertNames checks that the leaf carries exactly the requested SANs.
func assertNames(t *testing.T, leaf *x509.Certificate, dns, ips []string) {
	t.Helper()
	gotDNS := slices.Sorted(slices.Values(leaf.DNSNames))
	if !slices.Equal(gotDNS, slices.Sorted(slices.Values(dns))) {
		t.Errorf("DNS SANs = %v, want exactly %v", leaf.DNSNames, dns)
	}
	var gotIPs []string
	for _, ip := range leaf.IPAddresses {
		gotIPs = append(gotIPs, ip.String())
	}
	var wantIPs []string
	for _, ip := range ips {
		wantIPs = append(wantIPs, net.ParseIP(ip).String())
	}
	if !slices.Equal(slices.Sorted(slices.Values(gotIPs)), slices.Sorted(slices.Values(wantIPs))) {
		t.Errorf("IP SANs = %v, want exactly %v", gotIPs, wantIPs)
	}
	if len(leaf.EmailAddresses) != 0 || len(leaf.URIs) != 0 {
		t.Errorf("unexpected SANs: emails %v, URIs %v", leaf.EmailAddresses, leaf.URIs)
	}
}

// requestsOf returns the CertificateRequests of a namespace.
func requestsOf(t *testing.T, ns string) []cmapi.CertificateRequest {
	t.Helper()
	var list cmapi.CertificateRequestList
	if err := h.Client.List(t.Context(), &list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	return list.Items
}
