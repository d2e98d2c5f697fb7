package e2e

import (
	"crypto/rsa"
	"testing"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

// The annotations a user puts on an Ingress or a Gateway for cert-manager's
// ingress-shim and gateway-shim to make a Certificate of a PCAClusterIssuer.
const (
	annotationIssuer      = "cert-manager.io/issuer"
	annotationIssuerKind  = "cert-manager.io/issuer-kind"
	annotationIssuerGroup = "cert-manager.io/issuer-group"
)

// TestIngressShimIssuesForClusterIssuer: an Ingress annotated for a
// PCAClusterIssuer, with TLS hosts, gets a Ready Certificate (cert-manager's
// default key, RSA 2048) whose Secret holds a certificate for exactly
// those hosts, from one issuance.
func TestIngressShimIssuesForClusterIssuer(t *testing.T) {
	ns := newNamespace(t)
	issuer := rsaClusterIssuer(t, "shim-ingress")
	hosts := []string{"www." + ns + ".example.internal", "api." + ns + ".example.internal"}
	create(t, &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "web", Annotations: shimAnnotations(issuer.Name)},
		Spec: networkingv1.IngressSpec{
			DefaultBackend: &networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
				Name: "web", Port: networkingv1.ServiceBackendPort{Number: 80},
			}},
			TLS: []networkingv1.IngressTLS{{Hosts: hosts, SecretName: "web-tls"}},
		},
	})
	assertShimCertificate(t, ns, "web-tls", "Ingress", issuer.Name, hosts)
}

// TestGatewayShimIssuesForClusterIssuer: a Gateway annotated for a
// PCAClusterIssuer, with two HTTPS listeners sharing one Secret, gets a
// Ready Certificate whose Secret holds a certificate for both listeners'
// hostnames, from one issuance.
func TestGatewayShimIssuesForClusterIssuer(t *testing.T) {
	ns := newNamespace(t)
	issuer := rsaClusterIssuer(t, "shim-gateway")
	hosts := []string{"a." + ns + ".example.internal", "b." + ns + ".example.internal"}
	listener := func(name, host string, port int64) any {
		return map[string]any{
			"name": name, "hostname": host, "port": port, "protocol": "HTTPS",
			"tls": map[string]any{"mode": "Terminate", "certificateRefs": []any{map[string]any{"name": "gw-tls"}}},
		}
	}
	gw := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "gateway.networking.k8s.io/v1",
		"kind":       "Gateway",
		"metadata":   map[string]any{"namespace": ns, "name": "gw"},
		"spec": map[string]any{
			"gatewayClassName": "example",
			"listeners":        []any{listener("https-a", hosts[0], 443), listener("https-b", hosts[1], 443)},
		},
	}}
	gw.SetAnnotations(shimAnnotations(issuer.Name))
	create(t, gw)
	assertShimCertificate(t, ns, "gw-tls", "Gateway", issuer.Name, hosts)
}

// shimAnnotations point a shim at the PCAClusterIssuer name.
func shimAnnotations(name string) map[string]string {
	return map[string]string{
		annotationIssuer:      name,
		annotationIssuerKind:  "PCAClusterIssuer",
		annotationIssuerGroup: v1alpha1.GroupVersion.Group,
	}
}

// rsaClusterIssuer creates a Ready PCAClusterIssuer signing with an RSA
// 2048 template, the key cert-manager gives a Certificate that names none,
// as the shims' Certificates do.
func rsaClusterIssuer(t *testing.T, name string) *v1alpha1.PCAClusterIssuer {
	t.Helper()
	templateID, err := h.CreateLeafTemplate(t.Context(), name+"-rsa-2048", "RSA", 2048)
	if err != nil {
		t.Fatal(err)
	}
	create(t, h.CredentialsSecret(h.ClusterResourceNamespace, name+"-credentials"))
	spec := h.IssuerSpec(name + "-credentials")
	spec.TemplateID = templateID
	iss := &v1alpha1.PCAClusterIssuer{ObjectMeta: metav1.ObjectMeta{Name: name}, Spec: spec}
	create(t, iss)
	waitIssuerReady(t, iss, metav1.ConditionTrue, v1alpha1.ReasonChecked)
	return iss
}

// assertShimCertificate waits for the Certificate a shim makes for the
// Secret secretName, checks that it points at the PCAClusterIssuer, is
// controlled by the annotated object and names the hosts, and checks the
// issued chain, names and key.
func assertShimCertificate(t *testing.T, ns, secretName, ownerKind, issuerName string, hosts []string) {
	t.Helper()
	crt := &cmapi.Certificate{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: secretName}}
	waitCertificateReady(t, crt)
	wantRef := cmmeta.IssuerReference{Name: issuerName, Kind: "PCAClusterIssuer", Group: v1alpha1.GroupVersion.Group}
	if crt.Spec.IssuerRef != wantRef || crt.Spec.SecretName != secretName {
		t.Errorf("Certificate issuerRef %+v, secretName %q; want %+v, %q", crt.Spec.IssuerRef, crt.Spec.SecretName, wantRef, secretName)
	}
	if owner := metav1.GetControllerOf(crt); owner == nil || owner.Kind != ownerKind {
		t.Errorf("Certificate controller = %+v, want the %s", owner, ownerKind)
	}
	chain, root, _ := issuedChain(t, crt)
	verifyChain(t, chain, root)
	assertNames(t, chain[0], hosts, nil)
	if key, ok := chain[0].PublicKey.(*rsa.PublicKey); !ok || key.N.BitLen() != 2048 {
		t.Errorf("leaf key %T, want cert-manager's default RSA 2048", chain[0].PublicKey)
	}
	if got := h.Emulator.IssuanceCountFor(chain[0].PublicKey); got != 1 {
		t.Errorf("%d issuances for the Certificate's key, want 1", got)
	}
}
