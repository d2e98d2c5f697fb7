package controller

import (
	"math/big"
	"slices"
	"strconv"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// The state of a revocation, kept on the CertificateRequest that recorded
// the certificate (docs/revocation.md). The PCA's revoke call has no
// idempotency key, so this is what makes it at most once per certificate,
// across workers and manager restarts.
const (
	// AnnotationRevocationRequested is the time (RFC 3339) at which
	// pca-issuer was about to call the PCA to revoke the request's
	// certificate. While it is younger than the call's time bound
	// (--reconcile-timeout) no other call is made; after it, the PCA's
	// status of the certificate decides whether the call took effect.
	AnnotationRevocationRequested = "nhnpca.issuer.dev/revocation-requested"

	// AnnotationRevoked is the time (RFC 3339) at which the request's
	// certificate was revoked through the PCA, or found revoked there. A
	// request carrying it is never sent to the PCA's revoke call again.
	AnnotationRevoked = "nhnpca.issuer.dev/revoked"

	// AnnotationSupersededAt is the time (RFC 3339) at which pca-issuer
	// first saw the request's certificate replaced in its Certificate's
	// Secret by a renewal; the issuer's spec.revocation.gracePeriod runs
	// from it.
	AnnotationSupersededAt = "nhnpca.issuer.dev/superseded-at"

	// AnnotationRevokeSerial on a Certificate pins the serial number (PCA
	// spelling) that its nhnpca.issuer.dev/revoke annotation revokes, so
	// that a renewal reaching the Secret meanwhile never moves the
	// revocation to the new certificate. It is removed with the revoke
	// annotation.
	AnnotationRevokeSerial = "nhnpca.issuer.dev/revoke-serial"

	// FinalizerRevokeSuperseded holds a CertificateRequest issued by an
	// issuer with spec.revocation.revokeSuperseded, so that cert-manager's
	// clean-up of old requests (spec.revisionHistoryLimit) cannot remove the
	// record of a certificate before it is revoked. It is removed once the
	// certificate is revoked, or when it will not be (docs/revocation.md).
	FinalizerRevokeSuperseded = "nhnpca.issuer.dev/revoke-superseded"
)

// issuanceRecord is the PCA's certificate id and serial number recorded on
// a request (AnnotationCertificateID, AnnotationSerialNumber).
type issuanceRecord struct {
	certificateID int64
	serial        *big.Int
}

// recordOf reads the issuance record of a request; false when it has none
// or an unreadable one (then pca-issuer did not issue it, or cannot tell
// which certificate it is, and never revokes it).
func recordOf(obj client.Object) (issuanceRecord, bool) {
	a := obj.GetAnnotations()
	id, err := strconv.ParseInt(a[v1alpha1.AnnotationCertificateID], 10, 64)
	if err != nil || id <= 0 {
		return issuanceRecord{}, false
	}
	serial, ok := wire.ParseSerial(a[v1alpha1.AnnotationSerialNumber])
	if !ok {
		return issuanceRecord{}, false
	}
	return issuanceRecord{certificateID: id, serial: serial}, true
}

// annotationTime reads an RFC 3339 time annotation; zero when absent or
// unreadable.
func annotationTime(obj client.Object, key string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, obj.GetAnnotations()[key])
	if err != nil {
		return time.Time{}
	}
	return t
}

// formatTime spells a time for an annotation.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// hasFinalizer reports whether cr carries FinalizerRevokeSuperseded.
func hasFinalizer(cr *cmapi.CertificateRequest) bool {
	return slices.Contains(cr.Finalizers, FinalizerRevokeSuperseded)
}
