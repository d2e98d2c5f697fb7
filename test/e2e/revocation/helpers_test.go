package revocation

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	"golang.org/x/crypto/ocsp"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
	"github.com/nhnpca/pca-issuer/test/harness"
	"github.com/nhnpca/pca-issuer/test/pcaadmin"
)

// checkInterval is the issuers' spec.revocation.checkInterval in these
// tests.
const checkInterval = 5 * time.Second

// newIssuer creates a namespace of its own (named after prefix), a
// credentials Secret and a PCAIssuer "pca" checking revocations every
// checkInterval, and waits until it is Ready.
func newIssuer(t *testing.T, prefix string) *v1alpha1.PCAIssuer {
	t.Helper()
	ctx := t.Context()
	ns := h.NewNamespace(t, prefix)
	if err := h.Client.Create(ctx, h.CredentialsSecret(ns, "pca-credentials")); err != nil {
		t.Fatal(err)
	}
	iss := &v1alpha1.PCAIssuer{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "pca"}, Spec: h.IssuerSpec("pca-credentials")}
	iss.Spec.Revocation = &v1alpha1.Revocation{CheckInterval: &metav1.Duration{Duration: checkInterval}}
	if err := h.Client.Create(ctx, iss); err != nil {
		t.Fatal(err)
	}
	if err := h.WaitFor(ctx, iss, harness.WaitTimeout, "Ready", func() bool { return iss.Status.IsReady(iss.Generation) }); err != nil {
		t.Fatal(err)
	}
	return iss
}

// issue creates a Certificate of issuer "pca" and returns it once Ready,
// with the leaf in its Secret.
func issue(t *testing.T, ns, name string) (*cmapi.Certificate, *x509.Certificate) {
	t.Helper()
	crt := harness.Certificate(ns, name, "pca")
	if err := h.Client.Create(t.Context(), crt); err != nil {
		t.Fatal(err)
	}
	if err := h.WaitFor(t.Context(), crt, harness.WaitTimeout, "Ready", func() bool { return harness.CertificateReady(crt) }); err != nil {
		t.Fatal(err)
	}
	return crt, secretLeaf(t, crt)
}

// secretLeaf returns the leaf in crt's Secret.
func secretLeaf(t *testing.T, crt *cmapi.Certificate) *x509.Certificate {
	t.Helper()
	var s corev1.Secret
	if err := h.Client.Get(t.Context(), client.ObjectKey{Namespace: crt.Namespace, Name: crt.Spec.SecretName}, &s); err != nil {
		t.Fatal(err)
	}
	leaf, err := firstCertificate(s.Data[corev1.TLSCertKey])
	if err != nil {
		t.Fatal(err)
	}
	return leaf
}

func firstCertificate(data []byte) (*x509.Certificate, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("no PEM block")
	}
	return x509.ParseCertificate(block.Bytes)
}

// pcaClient is the test's own ADMIN client, as the console would act.
func pcaClient(t *testing.T) *pcaadmin.Client {
	t.Helper()
	pc, err := h.PCAClient()
	if err != nil {
		t.Fatal(err)
	}
	return pc
}

// revokeInPCA revokes leaf through the PCA API, as the console would: its
// certificate id is found by listing the store's leaves for its serial.
func revokeInPCA(t *testing.T, pc *pcaadmin.Client, leaf *x509.Certificate) {
	t.Helper()
	ctx := t.Context()
	serial := wire.FormatSerial(leaf.SerialNumber)
	for page := 0; ; page++ {
		list, err := pc.ListCertificates(ctx, h.PCA.CAStoreID, wire.ListTypeLeaf, wire.ListOptions{Page: page, Size: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range list.ListCerts {
			if strings.EqualFold(item.SerialNumber, serial) {
				if _, err := pc.RevokeCertificate(ctx, h.PCA.CAStoreID, item.ID); err != nil {
					t.Fatal(err)
				}
				return
			}
		}
		if len(list.ListCerts) == 0 || page+1 >= list.TotalPageNo {
			t.Fatalf("no leaf with serial %s in store %d", serial, h.PCA.CAStoreID)
		}
	}
}

// setStore switches the bootstrap store's CRL and OCSP, keeping its other
// settings, and puts them back when the test ends.
func setStore(t *testing.T, pc *pcaadmin.Client, crlActive, ocspActive bool) {
	t.Helper()
	st, err := pc.GetStore(t.Context(), h.PCA.CAStoreID)
	if err != nil {
		t.Fatal(err)
	}
	req := wire.StoreRequest{Name: st.Name, Description: st.Description, CRLActive: crlActive, CRLRefreshPeriod: st.CRLRefreshPeriod,
		OCSPActive: ocspActive, OCSPRefreshPeriod: st.OCSPRefreshPeriod}
	if _, err := pc.ModifyStore(t.Context(), h.PCA.CAStoreID, req); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		req.CRLActive, req.OCSPActive = st.CRLActive, st.OCSPActive
		if _, err := pc.ModifyStore(context.Background(), h.PCA.CAStoreID, req); err != nil {
			t.Error(err)
		}
	})
}

// waitRenewed waits until crt's Secret holds a certificate other than old,
// and returns it.
func waitRenewed(t *testing.T, crt *cmapi.Certificate, old *x509.Certificate) *x509.Certificate {
	t.Helper()
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: crt.Namespace, Name: crt.Spec.SecretName}}
	var leaf *x509.Certificate
	err := h.WaitFor(t.Context(), secret, harness.WaitTimeout, "renewed", func() bool {
		c, err := firstCertificate(secret.Data[corev1.TLSCertKey])
		if err != nil || c.SerialNumber.Cmp(old.SerialNumber) == 0 {
			return false
		}
		leaf = c
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	return leaf
}

// waitEvent waits for an event of type and reason about the object kind
// and name in namespace ns (every namespace when empty, for the events of
// cluster-scoped objects) whose note contains text, and returns it.
func waitEvent(t *testing.T, ns, kind, name, eventType, reason, text string) *eventsv1.Event {
	t.Helper()
	var found *eventsv1.Event
	var seen []string
	err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, harness.WaitTimeout, true, func(ctx context.Context) (bool, error) {
		var list eventsv1.EventList
		if err := h.Client.List(ctx, &list, client.InNamespace(ns)); err != nil {
			return false, nil
		}
		seen = seen[:0]
		for i := range list.Items {
			e := &list.Items[i]
			seen = append(seen, e.Regarding.Kind+"/"+e.Regarding.Name+" "+e.Type+" "+e.Reason+": "+e.Note)
			if e.Regarding.Kind == kind && e.Regarding.Name == name && e.Type == eventType && e.Reason == reason && strings.Contains(e.Note, text) {
				found = e
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("waiting for a %s %s event on %s %s/%s containing %q: %v; events: %q", eventType, reason, kind, ns, name, text, err, seen)
	}
	return found
}

// ocspStatus asks the emulator's OCSP responder for leaf's status, as any
// relying party would, and verifies the answer with the intermediate.
func ocspStatus(t *testing.T, pc *pcaadmin.Client, leaf *x509.Certificate) *ocsp.Response {
	t.Helper()
	detail, err := pc.GetCertificate(t.Context(), h.PCA.CAStoreID, h.PCA.IntermediateCertID)
	if err != nil {
		t.Fatal(err)
	}
	issuer, err := firstCertificate([]byte(detail.CertificatePem))
	if err != nil {
		t.Fatal(err)
	}
	req, err := ocsp.CreateRequest(leaf, issuer, nil)
	if err != nil {
		t.Fatal(err)
	}
	der, err := pc.OCSP(t.Context(), h.PCA.CAStoreID, req)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := ocsp.ParseResponseForCert(der, leaf, issuer)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
