package controller

import (
	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	cmmeta "github.com/cert-manager/cert-manager/pkg/apis/meta/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// finished reports whether a CertificateRequest needs no more work: it was
// issued, it failed for good, or it was denied. Such requests cost no PCA
// call, on resync or restart alike.
func finished(cr *cmapi.CertificateRequest) bool {
	c := readyCondition(cr)
	if c == nil {
		return false
	}
	if c.Status == cmmeta.ConditionTrue {
		return true
	}
	return c.Reason == cmapi.CertificateRequestReasonFailed || c.Reason == cmapi.CertificateRequestReasonDenied
}

// readyCondition returns the Ready condition, or nil.
func readyCondition(cr *cmapi.CertificateRequest) *cmapi.CertificateRequestCondition {
	for i := range cr.Status.Conditions {
		if cr.Status.Conditions[i].Type == cmapi.CertificateRequestConditionReady {
			return &cr.Status.Conditions[i]
		}
	}
	return nil
}

// setReady sets the Ready condition, keeping lastTransitionTime when the
// status does not change, and reports whether reason or message changed.
func setReady(cr *cmapi.CertificateRequest, status cmmeta.ConditionStatus, reason, message string, now metav1.Time) bool {
	message = boundedMessage(message, maxConditionMessage)
	c := readyCondition(cr)
	if c == nil {
		cr.Status.Conditions = append(cr.Status.Conditions, cmapi.CertificateRequestCondition{
			Type: cmapi.CertificateRequestConditionReady, Status: status, Reason: reason, Message: message, LastTransitionTime: &now,
		})
		return true
	}
	changed := c.Status != status || c.Reason != reason || c.Message != message
	if c.Status != status {
		c.LastTransitionTime = &now
	}
	c.Status, c.Reason, c.Message = status, reason, message
	return changed
}

// setPending marks the request as waiting; it will be retried.
func setPending(cr *cmapi.CertificateRequest, message string, now metav1.Time) bool {
	return setReady(cr, cmmeta.ConditionFalse, cmapi.CertificateRequestReasonPending, message, now)
}

// setFailed marks the request as failed for good and sets failureTime.
func setFailed(cr *cmapi.CertificateRequest, message string, now metav1.Time) bool {
	cr.Status.FailureTime = &now
	return setReady(cr, cmmeta.ConditionFalse, cmapi.CertificateRequestReasonFailed, message, now)
}
