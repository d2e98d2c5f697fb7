package controller

import (
	"testing"
	"time"

	experimentalapi "github.com/cert-manager/cert-manager/pkg/apis/experimental/v1alpha1"
	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

func TestCertificateSigningRequestReconcile(t *testing.T) {
	notReady := readyClusterIssuer()
	setReadyCondition(notReady, metav1.ConditionFalse, v1alpha1.ReasonCredentialsRejected, "the PCA refused the credentials")
	namespaced := readyIssuer()
	cases := []struct {
		name         string
		issuer       client.Object // nil: none
		mutate       func(*certificatesv1.CertificateSigningRequest)
		pca          func(*fakePCA)
		adopt        bool
		options      []fixtureOption
		wantFailed   *certificatesv1.CertificateSigningRequestCondition // nil: no Failed condition
		wantCert     bool
		wantEvents   []string
		wantResult   ctrl.Result
		wantErr      errKind
		wantIssued   []int64
		wantTTL      int64 // ttlValue of the issuance call, when one is wanted
		wantReported []string
	}{
		{
			name: "not-ours-is-left-alone", issuer: readyClusterIssuer(),
			mutate: func(csr *certificatesv1.CertificateSigningRequest) {
				csr.Spec.SignerName = "kubernetes.io/kube-apiserver-client"
			},
		},
		{
			name: "unapproved-waits", issuer: readyClusterIssuer(),
			mutate: func(csr *certificatesv1.CertificateSigningRequest) { csr.Status.Conditions = nil },
		},
		{
			name: "denied-is-final-and-left-alone", issuer: readyClusterIssuer(),
			mutate: func(csr *certificatesv1.CertificateSigningRequest) {
				csr.Status.Conditions = []certificatesv1.CertificateSigningRequestCondition{{Type: certificatesv1.CertificateDenied, Status: corev1.ConditionTrue, Reason: "policy"}}
			},
		},
		{
			name:       "issuer-missing-is-pending-by-event",
			wantEvents: []string{pendingAfter + "PCAClusterIssuer csr-issuer not found: create it, or fix spec.signerName"},
			wantResult: ctrl.Result{RequeueAfter: testOpts.PendingRetryInterval},
		},
		{
			name: "issuer-not-ready-is-pending-by-event", issuer: notReady,
			wantEvents: []string{pendingAfter + "PCAClusterIssuer csr-issuer is not Ready (CredentialsRejected): the PCA refused the credentials"},
			wantResult: ctrl.Result{RequeueAfter: testOpts.PendingRetryInterval},
		},
		{
			name: "issued", issuer: readyClusterIssuer(),
			wantCert: true, wantEvents: []string{"Normal Issued " + signed},
			wantIssued: []int64{templateID}, wantTTL: 3600,
		},
		{
			name: "adopted-after-marker-without-a-second-issuance", issuer: readyClusterIssuer(),
			mutate: func(csr *certificatesv1.CertificateSigningRequest) {
				csr.Annotations = map[string]string{AnnotationIssuanceStarted: now.Add(-time.Minute).Format(time.RFC3339Nano)}
			},
			adopt:      true,
			wantCert:   true,
			wantEvents: []string{"Normal Issued Recovered the certificate signed earlier by template 7 of PCA store 1 (certificate 100, serial 0A)"},
		},
		{
			name: "refused-by-template-fails-with-reason", issuer: readyClusterIssuer(),
			pca:        func(f *fakePCA) { f.issueErr = refusedErr },
			wantFailed: failed(v1alpha1.ReasonRefused, "Refused: "+refusedText),
			wantEvents: []string{"Warning Refused Refused: " + refusedText},
			wantErr:    terminalError,
			wantIssued: []int64{templateID}, wantTTL: 3600,
		},
		{
			name: "retryable-error-is-pending-and-retried", issuer: readyClusterIssuer(),
			pca:        func(f *fakePCA) { f.issueErr = unavailableErr },
			wantEvents: []string{pendingAfter + "Signing failed, retrying: " + unavailable},
			wantErr:    retryError,
			wantIssued: []int64{templateID}, wantTTL: 3600,
		},
		{
			name: "retry-window-passed-fails", issuer: readyClusterIssuer(),
			mutate: func(csr *certificatesv1.CertificateSigningRequest) {
				csr.CreationTimestamp = metav1.NewTime(now.Add(-2 * time.Hour))
			},
			pca:        func(f *fakePCA) { f.issueErr = unavailableErr },
			wantFailed: failed(v1alpha1.ReasonRetryWindowPassed, "RetryWindowPassed: gave up after 1h0m0s of retries (--max-retry-duration): "+unavailable),
			wantEvents: []string{"Warning RetryWindowPassed RetryWindowPassed: gave up after 1h0m0s of retries (--max-retry-duration): " + unavailable},
			wantErr:    terminalError,
			wantIssued: []int64{templateID}, wantTTL: 3600,
		},
		{
			name: "issuer-fault-is-pending-and-enqueues-the-issuer", issuer: readyClusterIssuer(),
			pca:        func(f *fakePCA) { f.issueErr = unauthorized },
			wantEvents: []string{pendingAfter + issuerFaultMessage("PCAClusterIssuer csr-issuer")},
			wantResult: ctrl.Result{RequeueAfter: testOpts.PendingRetryInterval},
			wantIssued: []int64{templateID}, wantTTL: 3600,
			wantReported: []string{"PCAClusterIssuer /csr-issuer"},
		},
		{
			name: "duration-annotation-wins-over-expiration-seconds", issuer: readyClusterIssuer(),
			mutate: func(csr *certificatesv1.CertificateSigningRequest) {
				csr.Annotations = map[string]string{experimentalapi.CertificateSigningRequestDurationAnnotationKey: "2h"}
			},
			wantCert: true, wantEvents: []string{"Normal Issued " + signed},
			wantIssued: []int64{templateID}, wantTTL: 7200,
		},
		{
			name: "no-duration-is-cert-managers-default", issuer: readyClusterIssuer(),
			mutate:   func(csr *certificatesv1.CertificateSigningRequest) { csr.Spec.ExpirationSeconds = nil },
			wantCert: true, wantEvents: []string{"Normal Issued " + signed},
			wantIssued: []int64{templateID}, wantTTL: 90 * 24 * 3600,
		},
		{
			name: "duration-annotation-that-does-not-parse-fails", issuer: readyClusterIssuer(),
			mutate: func(csr *certificatesv1.CertificateSigningRequest) {
				csr.Annotations = map[string]string{experimentalapi.CertificateSigningRequestDurationAnnotationKey: "90 days"}
			},
			wantFailed: failed(v1alpha1.ReasonInvalidDuration, badDuration),
			wantEvents: []string{"Warning InvalidDuration " + badDuration},
			wantErr:    terminalError,
		},
		{
			name: "duration-annotation-below-minimum-fails-before-any-pca-call", issuer: readyClusterIssuer(),
			mutate: func(csr *certificatesv1.CertificateSigningRequest) {
				csr.Annotations = map[string]string{experimentalapi.CertificateSigningRequestDurationAnnotationKey: "1m"}
			},
			wantFailed: failed(v1alpha1.ReasonDurationTooShort, shortDuration),
			wantEvents: []string{"Warning DurationTooShort " + shortDuration},
			wantErr:    terminalError,
		},
		{
			name: "is-ca-annotation-is-refused-before-any-pca-call", issuer: readyClusterIssuer(),
			mutate: func(csr *certificatesv1.CertificateSigningRequest) {
				csr.Annotations = map[string]string{experimentalapi.CertificateSigningRequestIsCAAnnotationKey: "true"}
			},
			wantFailed: failed(v1alpha1.ReasonCANotSupported, isCARefused),
			wantEvents: []string{"Warning CANotSupported " + isCARefused},
			wantErr:    terminalError,
		},
		{
			name: "template-annotation-chooses-an-allowed-template", issuer: readyClusterIssuer(),
			mutate: func(csr *certificatesv1.CertificateSigningRequest) {
				csr.Annotations = map[string]string{v1alpha1.AnnotationTemplateID: "9"}
			},
			wantCert:   true,
			wantEvents: []string{"Normal Issued Signed by template 9 of PCA store 1 (certificate 100, serial 0A)"},
			wantIssued: []int64{otherID}, wantTTL: 3600,
		},
		{
			name: "template-annotation-not-allowed-fails", issuer: readyClusterIssuer(),
			mutate: func(csr *certificatesv1.CertificateSigningRequest) {
				csr.Annotations = map[string]string{v1alpha1.AnnotationTemplateID: "8"}
			},
			wantFailed: failed(v1alpha1.ReasonTemplateNotAllowed, notAllowed),
			wantEvents: []string{"Warning TemplateNotAllowed " + notAllowed},
			wantErr:    terminalError,
		},
		{
			name: "namespaced-signer-not-referenceable-fails", issuer: namespaced,
			mutate: func(csr *certificatesv1.CertificateSigningRequest) {
				csr.Spec.SignerName = SignerPrefixIssuer + "team.pca"
			},
			options:    []fixtureOption{withReferenceAllowed(false)},
			wantFailed: failed(v1alpha1.ReasonSignerNotReferenceable, notReferenceable),
			wantEvents: []string{"Warning SignerNotReferenceable " + notReferenceable},
			wantErr:    terminalError,
		},
		{
			name: "namespaced-signer-referenceable-is-issued", issuer: namespaced,
			mutate: func(csr *certificatesv1.CertificateSigningRequest) {
				csr.Spec.SignerName = SignerPrefixIssuer + "team.pca"
			},
			options:  []fixtureOption{withReferenceAllowed(true)},
			wantCert: true, wantEvents: []string{"Normal Issued " + signed},
			wantIssued: []int64{templateID}, wantTTL: 3600,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			csr := approvedCSR(t)
			if tc.mutate != nil {
				tc.mutate(csr)
			}
			objs := []client.Object{csr}
			if tc.issuer != nil {
				objs = append(objs, tc.issuer)
			}
			f := newFixture(t, objs, tc.options...)
			if tc.pca != nil {
				tc.pca(f.pca)
			}
			if tc.adopt {
				f.pca.adopt = csr.Spec.Request
			}
			result, err := f.csrr.Reconcile(t.Context(), ctrl.Request{NamespacedName: client.ObjectKeyFromObject(csr)})
			checkErr(t, err, tc.wantErr)
			if result != tc.wantResult {
				t.Errorf("result %+v, want %+v", result, tc.wantResult)
			}
			got := &certificatesv1.CertificateSigningRequest{}
			if err := f.client.Get(t.Context(), client.ObjectKeyFromObject(csr), got); err != nil {
				t.Fatal(err)
			}
			checkFailed(t, got, tc.wantFailed)
			if (len(got.Status.Certificate) > 0) != tc.wantCert {
				t.Errorf("certificate set %v, want %v", len(got.Status.Certificate) > 0, tc.wantCert)
			}
			if events := f.events(); !equalStrings(events, tc.wantEvents) {
				t.Errorf("events\n%q\nwant\n%q", events, tc.wantEvents)
			}
			checkIssued(t, f.pca, tc.wantIssued)
			if calls := f.pca.calls(); tc.wantTTL != 0 && (len(calls) != 1 || calls[0].req.TTLValue != tc.wantTTL) {
				t.Errorf("issuance calls %+v, want one with ttlValue %d", calls, tc.wantTTL)
			}
			if reported := f.reported(); !equalStrings(reported, tc.wantReported) {
				t.Errorf("reported issuers %q, want %q", reported, tc.wantReported)
			}
			if tc.issuer != nil {
				checkIssuerUnchanged(t, f, tc.issuer)
			}
		})
	}
}

// Messages of the CSR cases.
const (
	badDuration      = `InvalidDuration: annotation experimental.cert-manager.io/request-duration="90 days" is not a duration: write it as Go does (e.g. 2160h), or remove it: failed to parse requested duration on annotation "experimental.cert-manager.io/request-duration": time: unknown unit " days" in duration "90 days"`
	shortDuration    = `DurationTooShort: annotation experimental.cert-manager.io/request-duration="1m" 1m0s is below the minimum of 10m0s (--minimum-duration): request a longer duration`
	isCARefused      = "CANotSupported: PCA templates issue leaf certificates only: annotation experimental.cert-manager.io/request-is-ca asks for a CA certificate; remove it, or use another issuer for CA certificates"
	notAllowed       = "TemplateNotAllowed: template 8 (annotation nhnpca.issuer.dev/template-id) is not in spec.allowedTemplateIds of PCAClusterIssuer csr-issuer: add it there, or remove the annotation"
	notReferenceable = "SignerNotReferenceable: alice may not reference signer pcaissuers.nhnpca.issuer.dev/team.pca: grant it the verb reference on resource signers (group nhnpca.issuer.dev) named pca in namespace team"
)

func failed(reason, message string) *certificatesv1.CertificateSigningRequestCondition {
	return &certificatesv1.CertificateSigningRequestCondition{
		Type: certificatesv1.CertificateFailed, Status: corev1.ConditionTrue, Reason: reason, Message: message,
		LastUpdateTime: metav1.NewTime(now), LastTransitionTime: metav1.NewTime(now),
	}
}

func checkFailed(t *testing.T, csr *certificatesv1.CertificateSigningRequest, want *certificatesv1.CertificateSigningRequestCondition) {
	t.Helper()
	var got *certificatesv1.CertificateSigningRequestCondition
	for i := range csr.Status.Conditions {
		if csr.Status.Conditions[i].Type == certificatesv1.CertificateFailed {
			got = &csr.Status.Conditions[i]
		}
	}
	switch {
	case got == nil && want == nil:
	case got == nil || want == nil:
		t.Errorf("Failed condition %+v, want %+v", got, want)
	case got.Status != want.Status || got.Reason != want.Reason || got.Message != want.Message ||
		!got.LastTransitionTime.Equal(&want.LastTransitionTime) || !got.LastUpdateTime.Equal(&want.LastUpdateTime):
		t.Errorf("Failed condition\n%+v\nwant\n%+v", *got, *want)
	}
}
