package controller

import (
	"slices"
	"testing"

	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// TestPendingIsToldOncePerWaitThenIssuedWhenTheIssuerAppears: a request
// waiting for its issuer records one Pending event however often it is
// reconciled, and is issued once the issuer exists and is Ready.
func TestPendingIsToldOncePerWaitThenIssuedWhenTheIssuerAppears(t *testing.T) {
	for _, kind := range []string{"CertificateRequest", "CertificateSigningRequest"} {
		t.Run(kind, func(t *testing.T) {
			var obj client.Object
			var r reconcile.Reconciler
			var iss client.Object
			f := newFixture(t, nil)
			if kind == "CertificateRequest" {
				obj, iss, r = approvedCR(t), readyIssuer(), f.crr
			} else {
				obj, iss, r = approvedCSR(t), readyClusterIssuer(), f.csrr
			}
			if err := f.client.Create(t.Context(), obj); err != nil {
				t.Fatal(err)
			}
			key := ctrl.Request{NamespacedName: client.ObjectKeyFromObject(obj)}
			for range 3 {
				if _, err := r.Reconcile(t.Context(), key); err != nil {
					t.Fatal(err)
				}
			}
			if events := f.events(); !equalStrings(events, []string{pendingAfter + issuerNotFound(kind)}) {
				t.Errorf("events after three reconciles while the issuer is missing: %q, want one Pending event", events)
			}
			if err := f.client.Create(t.Context(), iss); err != nil {
				t.Fatal(err)
			}
			if _, err := r.Reconcile(t.Context(), key); err != nil {
				t.Fatal(err)
			}
			if events := f.events(); !equalStrings(events, []string{"Normal Issued " + signed}) {
				t.Errorf("events once the issuer is Ready: %q", events)
			}
		})
	}
}

// issuerNotFound is the Pending message of a request of kind whose issuer
// is missing.
func issuerNotFound(kind string) string {
	if kind == "CertificateRequest" {
		return "PCAIssuer team/pca not found: create it, or fix spec.issuerRef"
	}
	return "PCAClusterIssuer csr-issuer not found: create it, or fix spec.signerName"
}

// TestIssuerWakesTheUnfinishedCSRsNamingIt: the CSR controller maps an
// issuer to the unfinished CSRs whose signerName names it (field index on
// spec.signerName), as the CertificateRequest controller does.
func TestIssuerWakesTheUnfinishedCSRsNamingIt(t *testing.T) {
	waiting := approvedCSR(t)
	done := approvedCSR(t)
	done.Name, done.Status.Certificate = "done", []byte("PEM")
	other := approvedCSR(t)
	other.Name, other.Spec.SignerName = "other", SignerPrefixClusterIssuer+"other"
	namespaced := approvedCSR(t)
	namespaced.Name, namespaced.Spec.SignerName = "namespaced", SignerPrefixIssuer+"team.pca"
	failedCSR := approvedCSR(t)
	failedCSR.Name = "failed"
	failedCSR.Status.Conditions = append(failedCSR.Status.Conditions, certificatesv1.CertificateSigningRequestCondition{Type: certificatesv1.CertificateFailed, Status: corev1.ConditionTrue})
	f := newFixture(t, []client.Object{waiting, done, other, namespaced, failedCSR})

	got := f.csrr.issuerToCSRs(kindClusterIssuer)(t.Context(), readyClusterIssuer())
	if want := []reconcile.Request{{NamespacedName: client.ObjectKey{Name: "web"}}}; !slices.Equal(got, want) {
		t.Errorf("PCAClusterIssuer csr-issuer wakes %v, want %v", got, want)
	}
	got = f.csrr.issuerToCSRs(kindIssuer)(t.Context(), readyIssuer())
	if want := []reconcile.Request{{NamespacedName: client.ObjectKey{Name: "namespaced"}}}; !slices.Equal(got, want) {
		t.Errorf("PCAIssuer team/pca wakes %v, want %v", got, want)
	}
}

// TestIssuerWakesTheUnfinishedCertificateRequestsNamingIt: the same for
// CertificateRequests, through the issuerRef index.
func TestIssuerWakesTheUnfinishedCertificateRequestsNamingIt(t *testing.T) {
	waiting := approvedCR(t)
	elsewhere := approvedCR(t)
	elsewhere.Namespace = "other"
	issued := approvedCR(t)
	issued.Name = "issued"
	setReady(issued, "True", "Issued", "signed", metav1.NewTime(now))
	f := newFixture(t, []client.Object{waiting, elsewhere, issued})
	got := f.crr.issuerToRequests(kindIssuer)(t.Context(), readyIssuer())
	if want := []reconcile.Request{{NamespacedName: client.ObjectKey{Namespace: "team", Name: "web"}}}; !slices.Equal(got, want) {
		t.Errorf("PCAIssuer team/pca wakes %v, want %v", got, want)
	}
}

// TestDurationOverMaxTTLIsCappedWithAWarning: a duration over the
// template's maxTTL is issued for maxTTL, and a TemplateFit Warning says so.
func TestDurationOverMaxTTLIsCappedWithAWarning(t *testing.T) {
	cr := approvedCR(t)
	f := newFixture(t, []client.Object{cr, readyIssuer()})
	f.pca.templates[templateID] = &wire.Template{ID: templateID, IsLeaf: true, MaxTTL: "1800", KeyUsage: []string{wire.KeyUsageDigitalSignature}, KeyInfo: ecP256, SigningCertificateID: rootID}
	if _, err := f.crr.Reconcile(t.Context(), ctrl.Request{NamespacedName: client.ObjectKeyFromObject(cr)}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Warning TemplateFit the requested duration 1h0m0s exceeds template 7's maxTTL; requesting 30m0s instead",
		"Normal Issued " + signed,
	}
	if events := f.events(); !equalStrings(events, want) {
		t.Errorf("events %q, want %q", events, want)
	}
	if calls := f.pca.calls(); len(calls) != 1 || calls[0].req.TTLValue != 1800 {
		t.Errorf("issuance calls %+v, want one with ttlValue 1800", calls)
	}
}

func TestMinimumDurationDefaultsToTheCSRAPIFloor(t *testing.T) {
	if got := (Options{}).withDefaults().MinimumDuration; got.Minutes() != 10 {
		t.Errorf("default MinimumDuration %s, want 10m", got)
	}
	if got := (Options{MinimumDuration: 3600e9}).withDefaults().MinimumDuration; got.Hours() != 1 {
		t.Errorf("MinimumDuration %s, want the 1h set", got)
	}
}
