package controller

import (
	"context"
	"fmt"
	"sync"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	experimentalapi "github.com/cert-manager/cert-manager/pkg/apis/experimental/v1alpha1"
	"github.com/cert-manager/cert-manager/pkg/util/pki"
	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/signer"
)

// certificateSigningRequest adapts a Kubernetes CertificateSigningRequest
// to the pipeline, following cert-manager's conventions for CSR signers:
// the annotation experimental.cert-manager.io/request-duration wins over
// spec.expirationSeconds, experimental.cert-manager.io/request-is-ca asks
// for a CA certificate, and spec.usages share cert-manager's strings.
//
// A CSR's status has no Pending condition: while it waits, a Normal event
// Pending says why (once per wait). Failure is the Failed condition, with
// the failure reason as condition reason; signing sets status.certificate.
type certificateSigningRequest struct {
	csr     *certificatesv1.CertificateSigningRequest
	c       client.Client
	pending *pendingSet
}

func (a certificateSigningRequest) object() client.Object { return a.csr }

func (a certificateSigningRequest) issuerRef() (issuerRef, bool) {
	return parseSignerName(a.csr.Spec.SignerName)
}

func (a certificateSigningRequest) approved() bool {
	return csrCondition(a.csr, certificatesv1.CertificateApproved)
}

func (a certificateSigningRequest) denied() bool {
	return csrCondition(a.csr, certificatesv1.CertificateDenied)
}

// finished: signed, failed or denied.
func (a certificateSigningRequest) finished() bool {
	return len(a.csr.Status.Certificate) > 0 || a.denied() || csrCondition(a.csr, certificatesv1.CertificateFailed)
}

func (a certificateSigningRequest) spec() (requestSpec, error) {
	s := requestSpec{
		csrPEM:    a.csr.Spec.Request,
		isCA:      a.csr.Annotations[experimentalapi.CertificateSigningRequestIsCAAnnotationKey] == "true",
		isCAField: "annotation " + experimentalapi.CertificateSigningRequestIsCAAnnotationKey,
		usages:    make([]cmapi.KeyUsage, len(a.csr.Spec.Usages)),
	}
	for i, u := range a.csr.Spec.Usages {
		s.usages[i] = cmapi.KeyUsage(u) // Kubernetes usages share cert-manager's strings
	}
	s.durationField = "spec.expirationSeconds"
	v, annotated := a.csr.Annotations[experimentalapi.CertificateSigningRequestDurationAnnotationKey]
	if annotated {
		s.durationField = "annotation " + experimentalapi.CertificateSigningRequestDurationAnnotationKey
	}
	d, err := pki.DurationFromCertificateSigningRequest(a.csr)
	if err != nil {
		return s, &signer.PermanentError{Reason: v1alpha1.ReasonInvalidDuration, Err: err, Message: fmt.Sprintf(
			"%s=%q is not a duration: write it as Go does (e.g. 2160h), or remove it", s.durationField, v)}
	}
	s.duration = d
	return s, nil
}

// authorize asks the API server, for a namespaced signer, whether the
// requester may reference it, as cert-manager does for its issuers.
func (a certificateSigningRequest) authorize(ctx context.Context) error {
	ref, _ := a.issuerRef()
	if ref.kind != kindIssuer {
		return nil
	}
	allowed, err := mayReference(ctx, a.c, a.csr, ref)
	if err != nil || allowed {
		return err
	}
	return &signer.PermanentError{Reason: v1alpha1.ReasonSignerNotReferenceable, Message: fmt.Sprintf(
		"%s may not reference signer %s: grant it the verb reference on resource signers (group %s) named %s in namespace %s",
		a.csr.Spec.Username, a.csr.Spec.SignerName, v1alpha1.GroupVersion.Group, ref.name, ref.namespace)}
}

func (a certificateSigningRequest) pendingShown() bool { return a.pending.has(a.csr) }

func (a certificateSigningRequest) setIssued(certificate, _ []byte, _ string, _ time.Time) {
	a.csr.Status.Certificate = certificate
	a.pending.forget(a.csr.Name)
}

// setPending has no status to write: the Pending event tells the user.
func (a certificateSigningRequest) setPending(string, time.Time) { a.pending.add(a.csr) }

func (a certificateSigningRequest) setFailed(reason, message string, now time.Time) {
	message = boundedMessage(message, maxConditionMessage)
	t := metav1.NewTime(now)
	a.csr.Status.Conditions = append(a.csr.Status.Conditions, certificatesv1.CertificateSigningRequestCondition{
		Type: certificatesv1.CertificateFailed, Status: corev1.ConditionTrue, Reason: reason, Message: message,
		LastUpdateTime: t, LastTransitionTime: t,
	})
	a.pending.forget(a.csr.Name)
}

// setDenied has nothing to write: the approver's Denied condition is final.
func (a certificateSigningRequest) setDenied(string, time.Time) { a.pending.forget(a.csr.Name) }

// csrCondition reports whether the CSR has condition t with status True.
func csrCondition(csr *certificatesv1.CertificateSigningRequest, t certificatesv1.RequestConditionType) bool {
	for _, c := range csr.Status.Conditions {
		if c.Type == t && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

// pendingSet remembers the CSRs told they are Pending (by name, with the
// UID so that a re-created CSR is told again), since a CSR's status cannot
// say so. It holds the waiting CSRs only.
type pendingSet struct {
	mu     sync.Mutex
	byName map[string]types.UID
}

func newPendingSet() *pendingSet { return &pendingSet{byName: map[string]types.UID{}} }

func (s *pendingSet) has(csr *certificatesv1.CertificateSigningRequest) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	uid, ok := s.byName[csr.Name]
	return ok && uid == csr.UID
}

func (s *pendingSet) add(csr *certificatesv1.CertificateSigningRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byName[csr.Name] = csr.UID
}

func (s *pendingSet) forget(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byName, name)
}
