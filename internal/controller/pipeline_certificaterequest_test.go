package controller

import (
	"errors"
	"net/http"
	"testing"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/pca"
)

// errKind is what a reconcile is expected to return.
type errKind int

const (
	noError       errKind = iota
	terminalError         // permanent: not requeued
	retryError            // requeued with backoff
)

func checkErr(t *testing.T, err error, want errKind) {
	t.Helper()
	switch {
	case want == noError && err != nil:
		t.Errorf("error %v, want none", err)
	case want == terminalError && !errors.Is(err, reconcile.TerminalError(nil)):
		t.Errorf("error %v, want a terminal error", err)
	case want == retryError && (err == nil || errors.Is(err, reconcile.TerminalError(nil))):
		t.Errorf("error %v, want a retryable error", err)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

const (
	pendingAfter = "Normal Pending "
	signed       = "Signed by template 7 of PCA store 1 (certificate 100, serial 0A)"
	refusedText  = "the PCA template refused the request: ipSans are not allowed; change the Certificate to fit the template, or the template: pca: IssueWithTemplate: HTTP 400 (resultCode 40000): ipSans are not allowed"
	unavailable  = "pca: IssueWithTemplate: HTTP 503 (resultCode 0): Service Unavailable"
)

var (
	refusedErr     = &pca.Error{Op: "IssueWithTemplate", HTTPStatus: http.StatusBadRequest, ResultCode: 40000, ResultMessage: "ipSans are not allowed"}
	unavailableErr = &pca.Error{Op: "IssueWithTemplate", HTTPStatus: http.StatusServiceUnavailable, ResultMessage: "Service Unavailable"}
	unauthorized   = &pca.Error{Op: "IssueWithTemplate", HTTPStatus: http.StatusUnauthorized, ResultCode: 40100, ResultMessage: "token expired"}
)

func TestCertificateRequestReconcile(t *testing.T) {
	notReady := readyIssuer()
	setReadyCondition(notReady, metav1.ConditionFalse, v1alpha1.ReasonCredentialsRejected, "the PCA refused the credentials")
	cases := []struct {
		name         string
		issuer       client.Object // nil: none
		mutate       func(*cmapi.CertificateRequest)
		pca          func(*fakePCA)
		adopt        bool                               // FindLeaf finds a leaf for the request's CSR
		wantReady    *cmapi.CertificateRequestCondition // nil: no Ready condition
		wantFailure  bool                               // failureTime set
		wantCert     bool
		wantEvents   []string
		wantResult   ctrl.Result
		wantErr      errKind
		wantIssued   []int64 // templates of the issuance calls
		wantReported []string
	}{
		{
			name: "not-ours-is-left-alone", issuer: readyIssuer(),
			mutate: func(cr *cmapi.CertificateRequest) { cr.Spec.IssuerRef.Group = "cert-manager.io" },
		},
		{
			name: "unapproved-waits", issuer: readyIssuer(),
			mutate: func(cr *cmapi.CertificateRequest) { cr.Status.Conditions = nil },
		},
		{
			name: "denied-is-final-with-failure-time", issuer: readyIssuer(),
			mutate: func(cr *cmapi.CertificateRequest) {
				cr.Status.Conditions = []cmapi.CertificateRequestCondition{{Type: cmapi.CertificateRequestConditionDenied, Status: cmmeta.ConditionTrue, Reason: "policy"}}
			},
			wantReady:   ready(cmmeta.ConditionFalse, cmapi.CertificateRequestReasonDenied, "Denied by an approval controller: it is never sent to the PCA"),
			wantFailure: true,
			wantEvents:  []string{"Warning Denied Denied by an approval controller: it is never sent to the PCA"},
		},
		{
			name:       "issuer-missing-is-pending",
			wantReady:  ready(cmmeta.ConditionFalse, cmapi.CertificateRequestReasonPending, "PCAIssuer team/pca not found: create it, or fix spec.issuerRef"),
			wantEvents: []string{pendingAfter + "PCAIssuer team/pca not found: create it, or fix spec.issuerRef"},
			wantResult: ctrl.Result{RequeueAfter: testOpts.PendingRetryInterval},
		},
		{
			name: "issuer-not-ready-is-pending", issuer: notReady,
			wantReady:  ready(cmmeta.ConditionFalse, cmapi.CertificateRequestReasonPending, "PCAIssuer team/pca is not Ready (CredentialsRejected): the PCA refused the credentials"),
			wantEvents: []string{pendingAfter + "PCAIssuer team/pca is not Ready (CredentialsRejected): the PCA refused the credentials"},
			wantResult: ctrl.Result{RequeueAfter: testOpts.PendingRetryInterval},
		},
		{
			name: "issued", issuer: readyIssuer(),
			wantReady: ready(cmmeta.ConditionTrue, cmapi.CertificateRequestReasonIssued, signed), wantCert: true,
			wantEvents: []string{"Normal Issued " + signed},
			wantIssued: []int64{templateID},
		},
		{
			name: "adopted-after-marker-without-a-second-issuance", issuer: readyIssuer(),
			mutate: func(cr *cmapi.CertificateRequest) {
				cr.Annotations = map[string]string{AnnotationIssuanceStarted: now.Add(-time.Minute).Format(time.RFC3339Nano)}
			},
			adopt:      true,
			wantReady:  ready(cmmeta.ConditionTrue, cmapi.CertificateRequestReasonIssued, "Recovered the certificate signed earlier by template 7 of PCA store 1 (certificate 100, serial 0A)"),
			wantCert:   true,
			wantEvents: []string{"Normal Issued Recovered the certificate signed earlier by template 7 of PCA store 1 (certificate 100, serial 0A)"},
		},
		{
			name: "refused-by-template-fails-with-reason", issuer: readyIssuer(),
			pca:         func(f *fakePCA) { f.issueErr = refusedErr },
			wantReady:   ready(cmmeta.ConditionFalse, cmapi.CertificateRequestReasonFailed, "Refused: "+refusedText),
			wantFailure: true,
			wantEvents:  []string{"Warning Refused Refused: " + refusedText},
			wantErr:     terminalError,
			wantIssued:  []int64{templateID},
		},
		{
			name: "invalid-csr-fails-before-any-pca-call", issuer: readyIssuer(),
			mutate:      func(cr *cmapi.CertificateRequest) { cr.Spec.Request = []byte("not a CSR") },
			wantReady:   ready(cmmeta.ConditionFalse, cmapi.CertificateRequestReasonFailed, "InvalidCSR: spec.request must hold exactly one PEM CERTIFICATE REQUEST block: no PEM block found"),
			wantFailure: true,
			wantEvents:  []string{"Warning InvalidCSR InvalidCSR: spec.request must hold exactly one PEM CERTIFICATE REQUEST block: no PEM block found"},
			wantErr:     terminalError,
		},
		{
			name: "is-ca-fails-before-any-pca-call", issuer: readyIssuer(),
			mutate:      func(cr *cmapi.CertificateRequest) { cr.Spec.IsCA = true },
			wantReady:   ready(cmmeta.ConditionFalse, cmapi.CertificateRequestReasonFailed, "CANotSupported: PCA templates issue leaf certificates only: spec.isCA asks for a CA certificate; remove it, or use another issuer for CA certificates"),
			wantFailure: true,
			wantEvents:  []string{"Warning CANotSupported CANotSupported: PCA templates issue leaf certificates only: spec.isCA asks for a CA certificate; remove it, or use another issuer for CA certificates"},
			wantErr:     terminalError,
		},
		{
			name: "duration-below-minimum-fails-before-any-pca-call", issuer: readyIssuer(),
			mutate:      func(cr *cmapi.CertificateRequest) { cr.Spec.Duration = &metav1.Duration{Duration: time.Second} },
			wantReady:   ready(cmmeta.ConditionFalse, cmapi.CertificateRequestReasonFailed, "DurationTooShort: spec.duration 1s is below the minimum of 10m0s (--minimum-duration): request a longer duration"),
			wantFailure: true,
			wantEvents:  []string{"Warning DurationTooShort DurationTooShort: spec.duration 1s is below the minimum of 10m0s (--minimum-duration): request a longer duration"},
			wantErr:     terminalError,
		},
		{
			name: "retryable-error-is-pending-and-retried", issuer: readyIssuer(),
			pca:        func(f *fakePCA) { f.issueErr = unavailableErr },
			wantReady:  ready(cmmeta.ConditionFalse, cmapi.CertificateRequestReasonPending, "Signing failed, retrying: "+unavailable),
			wantEvents: []string{pendingAfter + "Signing failed, retrying: " + unavailable},
			wantErr:    retryError,
			wantIssued: []int64{templateID},
		},
		{
			name: "retry-window-passed-fails", issuer: readyIssuer(),
			mutate:      func(cr *cmapi.CertificateRequest) { cr.CreationTimestamp = metav1.NewTime(now.Add(-2 * time.Hour)) },
			pca:         func(f *fakePCA) { f.issueErr = unavailableErr },
			wantReady:   ready(cmmeta.ConditionFalse, cmapi.CertificateRequestReasonFailed, "RetryWindowPassed: gave up after 1h0m0s of retries (--max-retry-duration): "+unavailable),
			wantFailure: true,
			wantEvents:  []string{"Warning RetryWindowPassed RetryWindowPassed: gave up after 1h0m0s of retries (--max-retry-duration): " + unavailable},
			wantErr:     terminalError,
			wantIssued:  []int64{templateID},
		},
		{
			name: "issuer-fault-is-pending-and-enqueues-the-issuer", issuer: readyIssuer(),
			pca:          func(f *fakePCA) { f.issueErr = unauthorized },
			wantReady:    ready(cmmeta.ConditionFalse, cmapi.CertificateRequestReasonPending, issuerFaultMessage("PCAIssuer team/pca")),
			wantEvents:   []string{pendingAfter + issuerFaultMessage("PCAIssuer team/pca")},
			wantResult:   ctrl.Result{RequeueAfter: testOpts.PendingRetryInterval},
			wantIssued:   []int64{templateID},
			wantReported: []string{"PCAIssuer team/pca"},
		},
		{
			name: "template-annotation-chooses-an-allowed-template", issuer: readyIssuer(),
			mutate: func(cr *cmapi.CertificateRequest) {
				cr.Annotations = map[string]string{v1alpha1.AnnotationTemplateID: "9"}
			},
			wantReady:  ready(cmmeta.ConditionTrue, cmapi.CertificateRequestReasonIssued, "Signed by template 9 of PCA store 1 (certificate 100, serial 0A)"),
			wantCert:   true,
			wantEvents: []string{"Normal Issued Signed by template 9 of PCA store 1 (certificate 100, serial 0A)"},
			wantIssued: []int64{otherID},
		},
		{
			name: "template-annotation-not-allowed-fails", issuer: readyIssuer(),
			mutate: func(cr *cmapi.CertificateRequest) {
				cr.Annotations = map[string]string{v1alpha1.AnnotationTemplateID: "8"}
			},
			wantReady:   ready(cmmeta.ConditionFalse, cmapi.CertificateRequestReasonFailed, "TemplateNotAllowed: template 8 (annotation nhnpca.issuer.dev/template-id) is not in spec.allowedTemplateIds of PCAIssuer team/pca: add it there, or remove the annotation"),
			wantFailure: true,
			wantEvents:  []string{"Warning TemplateNotAllowed TemplateNotAllowed: template 8 (annotation nhnpca.issuer.dev/template-id) is not in spec.allowedTemplateIds of PCAIssuer team/pca: add it there, or remove the annotation"},
			wantErr:     terminalError,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cr := approvedCR(t)
			if tc.mutate != nil {
				tc.mutate(cr)
			}
			objs := []client.Object{cr}
			if tc.issuer != nil {
				objs = append(objs, tc.issuer)
			}
			f := newFixture(t, objs)
			if tc.pca != nil {
				tc.pca(f.pca)
			}
			if tc.adopt {
				f.pca.adopt = cr.Spec.Request
			}
			result, err := f.crr.Reconcile(t.Context(), ctrl.Request{NamespacedName: client.ObjectKeyFromObject(cr)})
			checkErr(t, err, tc.wantErr)
			if result != tc.wantResult {
				t.Errorf("result %+v, want %+v", result, tc.wantResult)
			}
			got := &cmapi.CertificateRequest{}
			if err := f.client.Get(t.Context(), client.ObjectKeyFromObject(cr), got); err != nil {
				t.Fatal(err)
			}
			checkReady(t, got, tc.wantReady)
			if (got.Status.FailureTime != nil) != tc.wantFailure || (tc.wantFailure && !got.Status.FailureTime.Time.Equal(now)) {
				t.Errorf("failureTime %v, want set to now: %v", got.Status.FailureTime, tc.wantFailure)
			}
			if (len(got.Status.Certificate) > 0 && len(got.Status.CA) > 0) != tc.wantCert {
				t.Errorf("certificate set %v, want %v", len(got.Status.Certificate) > 0, tc.wantCert)
			}
			if events := f.events(); !equalStrings(events, tc.wantEvents) {
				t.Errorf("events\n%q\nwant\n%q", events, tc.wantEvents)
			}
			checkIssued(t, f.pca, tc.wantIssued)
			if reported := f.reported(); !equalStrings(reported, tc.wantReported) {
				t.Errorf("reported issuers %q, want %q", reported, tc.wantReported)
			}
			if tc.issuer != nil {
				checkIssuerUnchanged(t, f, tc.issuer)
			}
		})
	}
}

// issuerFaultMessage is the Pending message of a request whose issuance
// the PCA answered 401.
func issuerFaultMessage(issuer string) string {
	return issuer + " cannot sign right now (CredentialsRejected): the PCA refused the credentials: check the appkey and the User Access Key ID and secret in the issuer's Secret: " +
		"pca: IssueWithTemplate: HTTP 401 (resultCode 40100): token expired; the issuer is being checked again"
}

func ready(status cmmeta.ConditionStatus, reason, message string) *cmapi.CertificateRequestCondition {
	t := metav1.NewTime(now)
	return &cmapi.CertificateRequestCondition{Type: cmapi.CertificateRequestConditionReady, Status: status, Reason: reason, Message: message, LastTransitionTime: &t}
}

func checkReady(t *testing.T, cr *cmapi.CertificateRequest, want *cmapi.CertificateRequestCondition) {
	t.Helper()
	got := readyCondition(cr)
	switch {
	case got == nil && want == nil:
	case got == nil || want == nil:
		t.Errorf("Ready condition %+v, want %+v", got, want)
	case got.Status != want.Status || got.Reason != want.Reason || got.Message != want.Message || !got.LastTransitionTime.Equal(want.LastTransitionTime):
		t.Errorf("Ready condition\n%+v\nwant\n%+v", *got, *want)
	}
}

func checkIssued(t *testing.T, f *fakePCA, want []int64) {
	t.Helper()
	calls := f.calls()
	var got []int64
	for _, c := range calls {
		got = append(got, c.templateID)
	}
	if len(got) != len(want) {
		t.Errorf("issuance calls with templates %v, want %v", got, want)
		return
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("issuance calls with templates %v, want %v", got, want)
		}
	}
}

// checkIssuerUnchanged: only the issuer reconciler writes issuer status.
func checkIssuerUnchanged(t *testing.T, f *fixture, want client.Object) {
	t.Helper()
	got := want.DeepCopyObject().(issuerObject)
	if err := f.client.Get(t.Context(), client.ObjectKeyFromObject(want), got); err != nil {
		t.Fatal(err)
	}
	w, g := want.(issuerObject).GetStatus().ReadyCondition(), got.GetStatus().ReadyCondition()
	if w.Status != g.Status || w.Reason != g.Reason || w.Message != g.Message {
		t.Errorf("issuer Ready changed by a request: %+v, was %+v", *g, *w)
	}
}
