package controller

import (
	"context"
	"slices"
	"strconv"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

// issuedRecord is what the pipeline records on a request it signed, as
// annotations, before its status: the PCA's certificate id and the serial
// number of the certificate, so that revocation (docs/revocation.md) can
// name the PCA certificate of a certificate found in a Secret, across
// manager restarts; and, for a CertificateRequest of an issuer with
// spec.revocation.revokeSuperseded, FinalizerRevokeSuperseded.
type issuedRecord struct {
	certificateID int64
	// serial is the serial of the certificate itself (not the PCA's
	// serialNumber field), in the PCA's spelling.
	serial string
	hold   bool
}

// newIssuedRecord returns the record of res, issued for req by iss.
func newIssuedRecord(req request, iss issuerObject, res *signResult) *issuedRecord {
	_, isCR := req.object().(*cmapi.CertificateRequest)
	rev := iss.GetSpec().Revocation
	// Only a request of a Certificate is ever superseded, and only its
	// Certificate wakes the reconciler that releases it: a request made
	// on its own (by cert-manager's csi-driver, istio-csr, or by hand)
	// would keep the finalizer for ever, and hang in deletion.
	owned := len(certificateOwner(req.object())) > 0
	hold := isCR && owned && rev != nil && rev.RevokeSuperseded && req.object().GetDeletionTimestamp() == nil
	return &issuedRecord{certificateID: res.certificateID, serial: res.serial, hold: hold}
}

// writeRecord writes rec onto obj's object, locked to obj's
// resourceVersion so that it lands on the request as signed, and copies
// the new metadata into obj without touching the status obj holds for the
// status write that follows. errConflict: obj changed meanwhile; the next
// attempt finds the certificate through the in-flight marker.
func writeRecord(ctx context.Context, c client.Client, obj client.Object, rec *issuedRecord) error {
	p := metadataPatch{
		annotations: map[string]*string{
			v1alpha1.AnnotationCertificateID: ptrTo(strconv.FormatInt(rec.certificateID, 10)),
			v1alpha1.AnnotationSerialNumber:  ptrTo(rec.serial),
		},
		resourceVersion: obj.GetResourceVersion(),
	}
	if rec.hold && !slices.Contains(obj.GetFinalizers(), FinalizerRevokeSuperseded) {
		p.finalizers = append(append([]string{}, obj.GetFinalizers()...), FinalizerRevokeSuperseded)
	}
	a := obj.GetAnnotations()
	if p.finalizers == nil && a[v1alpha1.AnnotationCertificateID] == *p.annotations[v1alpha1.AnnotationCertificateID] &&
		a[v1alpha1.AnnotationSerialNumber] == rec.serial {
		return nil // recorded by an earlier attempt
	}
	written := obj.DeepCopyObject().(client.Object)
	if err := p.apply(ctx, c, written); err != nil {
		return err
	}
	obj.SetAnnotations(written.GetAnnotations())
	obj.SetFinalizers(written.GetFinalizers())
	obj.SetResourceVersion(written.GetResourceVersion())
	return nil
}
