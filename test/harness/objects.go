package harness

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

// CreateIssuer creates a credentials Secret and a PCAIssuer reading it in
// namespace ns, and waits for the issuer to be Ready.
func (h *Harness) CreateIssuer(ctx context.Context, ns, name string) (*v1alpha1.PCAIssuer, error) {
	if err := h.CreateNamespace(ctx, ns); err != nil {
		return nil, err
	}
	if err := client.IgnoreAlreadyExists(h.Client.Create(ctx, h.CredentialsSecret(ns, name+"-credentials"))); err != nil {
		return nil, err
	}
	iss := &v1alpha1.PCAIssuer{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: h.IssuerSpec(name + "-credentials")}
	if err := h.Client.Create(ctx, iss); err != nil {
		return nil, err
	}
	return iss, h.WaitFor(ctx, iss, WaitTimeout, "Ready", func() bool { return iss.Status.IsReady(iss.Generation) })
}

// Certificate returns a Certificate of an EC P-256 key for one DNS name,
// valid for a day, signed by the PCAIssuer issuerName.
func Certificate(ns, name, issuerName string) *cmapi.Certificate {
	return &cmapi.Certificate{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: cmapi.CertificateSpec{
			SecretName: name + "-tls",
			DNSNames:   []string{name + "." + ns + ".example.internal"},
			Duration:   &metav1.Duration{Duration: 24 * time.Hour},
			PrivateKey: &cmapi.CertificatePrivateKey{Algorithm: cmapi.ECDSAKeyAlgorithm, Size: 256},
			IssuerRef:  cmmeta.IssuerReference{Group: v1alpha1.GroupVersion.Group, Kind: "PCAIssuer", Name: issuerName},
		},
	}
}

// CertificateReady reports whether the Certificate's Ready condition is
// True for its generation.
func CertificateReady(crt *cmapi.Certificate) bool {
	for _, c := range crt.Status.Conditions {
		if c.Type == cmapi.CertificateConditionReady && c.Status == cmmeta.ConditionTrue && c.ObservedGeneration == crt.Generation {
			return true
		}
	}
	return false
}

// RequestReady returns the Ready condition of a CertificateRequest, or nil.
func RequestReady(cr *cmapi.CertificateRequest) *cmapi.CertificateRequestCondition {
	for i := range cr.Status.Conditions {
		if cr.Status.Conditions[i].Type == cmapi.CertificateRequestConditionReady {
			return &cr.Status.Conditions[i]
		}
	}
	return nil
}

// WaitRequest waits for a CertificateRequest of the Certificate
// certificateName in namespace ns to satisfy cond, and returns it.
func (h *Harness) WaitRequest(ctx context.Context, ns, certificateName, what string, cond func(*cmapi.CertificateRequest) bool) (*cmapi.CertificateRequest, error) {
	var found, last *cmapi.CertificateRequest
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, WaitTimeout, true, func(ctx context.Context) (bool, error) {
		var list cmapi.CertificateRequestList
		if err := h.Client.List(ctx, &list, client.InNamespace(ns)); err != nil {
			return false, nil
		}
		for i := range list.Items {
			cr := &list.Items[i]
			if !ownedBy(cr.OwnerReferences, certificateName) {
				continue
			}
			last = cr
			if cond(cr) {
				found = cr
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		return nil, fmt.Errorf("waiting %s for a CertificateRequest of %s/%s to be %s; last seen: %+v: %w", WaitTimeout, ns, certificateName, what, last, err)
	}
	return found, nil
}

func ownedBy(refs []metav1.OwnerReference, certificateName string) bool {
	for _, r := range refs {
		if r.Kind == "Certificate" && r.Name == certificateName {
			return true
		}
	}
	return false
}

// CSRPEM returns a PEM CERTIFICATE REQUEST of a fresh EC P-256 key for
// commonName, also its one DNS SAN.
func CSRPEM(commonName string) ([]byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: commonName}, DNSNames: []string{commonName},
	}, key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), nil
}
