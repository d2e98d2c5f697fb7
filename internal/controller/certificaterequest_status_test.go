package controller

import (
	"testing"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestFinished(t *testing.T) {
	ready := func(status cmmeta.ConditionStatus, reason string) *cmapi.CertificateRequest {
		return &cmapi.CertificateRequest{Status: cmapi.CertificateRequestStatus{Conditions: []cmapi.CertificateRequestCondition{
			{Type: cmapi.CertificateRequestConditionReady, Status: status, Reason: reason},
		}}}
	}
	cases := []struct {
		name string
		cr   *cmapi.CertificateRequest
		want bool
	}{
		{"new-request-not-finished", &cmapi.CertificateRequest{}, false},
		{"pending-not-finished", ready(cmmeta.ConditionFalse, cmapi.CertificateRequestReasonPending), false},
		{"issued-finished", ready(cmmeta.ConditionTrue, cmapi.CertificateRequestReasonIssued), true},
		{"failed-finished", ready(cmmeta.ConditionFalse, cmapi.CertificateRequestReasonFailed), true},
		{"denied-finished", ready(cmmeta.ConditionFalse, cmapi.CertificateRequestReasonDenied), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := finished(tc.cr); got != tc.want {
				t.Errorf("finished = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSetReadyKeepsTransitionTimeWhileStatusHolds(t *testing.T) {
	cr := &cmapi.CertificateRequest{}
	t0 := metav1.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	t1 := metav1.NewTime(t0.Add(time.Minute))
	if !setPending(cr, "waiting", t0) {
		t.Fatal("first condition not reported as a change")
	}
	if setPending(cr, "waiting", t1) {
		t.Error("an identical condition was reported as a change")
	}
	if !setPending(cr, "retrying", t1) || !readyCondition(cr).LastTransitionTime.Equal(&t0) {
		t.Error("a new message must be a change that keeps lastTransitionTime while the status holds")
	}
	setFailed(cr, "bad CSR", t1)
	if c := readyCondition(cr); c.Reason != cmapi.CertificateRequestReasonFailed || !c.LastTransitionTime.Equal(&t0) || cr.Status.FailureTime == nil {
		t.Errorf("after setFailed: %+v, failureTime %v", c, cr.Status.FailureTime)
	}
}

func TestParseSignerName(t *testing.T) {
	cases := []struct {
		in   string
		want issuerRef
		ok   bool
	}{
		{"pcaclusterissuers.nhnpca.issuer.dev/prod", issuerRef{kind: kindClusterIssuer, name: "prod", field: "spec.signerName"}, true},
		{"pcaissuers.nhnpca.issuer.dev/team-a.web", issuerRef{kind: kindIssuer, namespace: "team-a", name: "web", field: "spec.signerName"}, true},
		{"pcaissuers.nhnpca.issuer.dev/team-a.web.v2", issuerRef{kind: kindIssuer, namespace: "team-a", name: "web.v2", field: "spec.signerName"}, true},
		{"pcaissuers.nhnpca.issuer.dev/no-namespace", issuerRef{}, false},
		{"pcaclusterissuers.nhnpca.issuer.dev/", issuerRef{}, false},
		{"issuers.cert-manager.io/team-a.web", issuerRef{}, false},
		{"kubernetes.io/kube-apiserver-client", issuerRef{}, false},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := parseSignerName(tc.in)
			if ok != tc.ok || got != tc.want {
				t.Errorf("parseSignerName = %+v, %v; want %+v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}
