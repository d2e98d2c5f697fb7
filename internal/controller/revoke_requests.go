package controller

import (
	"context"
	"errors"
	"fmt"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// certificateOwnerIndex indexes CertificateRequests by the name of the
// Certificate that owns them, so that revocation finds a Certificate's
// requests without listing its namespace.
const certificateOwnerIndex = "nhnpca.issuer.dev/certificate-owner"

// certificateOwner is the certificateOwnerIndex value of a
// CertificateRequest: its owning Certificate's name, if any.
func certificateOwner(obj client.Object) []string {
	for _, ref := range obj.GetOwnerReferences() {
		if ref.Kind == cmapi.CertificateKind && ref.APIVersion == cmapi.SchemeGroupVersion.String() {
			return []string{ref.Name}
		}
	}
	return nil
}

// requestsOf lists the CertificateRequests of namespace ns owned by a
// Certificate named name (of any UID: a deleted Certificate's requests
// too).
func requestsOf(ctx context.Context, c client.Reader, ns, name string) ([]cmapi.CertificateRequest, error) {
	var list cmapi.CertificateRequestList
	if err := c.List(ctx, &list, client.InNamespace(ns), client.MatchingFields{certificateOwnerIndex: name}); err != nil {
		return nil, fmt.Errorf("listing the CertificateRequests of Certificate %s/%s: %w", ns, name, err)
	}
	return list.Items, nil
}

// ownedByUID reports whether cr belongs to crt itself, not to an earlier
// Certificate of the same name.
func ownedByUID(cr *cmapi.CertificateRequest, crt *cmapi.Certificate) bool {
	for _, ref := range cr.OwnerReferences {
		if ref.Kind == cmapi.CertificateKind && ref.UID == crt.UID {
			return true
		}
	}
	return false
}

// updateRequest sets annotations on cr (nil values remove keys) and, with
// release, removes FinalizerRevokeSuperseded. Removing a finalizer
// replaces the whole list, so that write is locked to cr's resourceVersion
// and retried on a fresh read after a conflict. A request deleted meanwhile
// is no error.
func updateRequest(ctx context.Context, c client.Client, fresh client.Reader, cr *cmapi.CertificateRequest, annotations map[string]*string, release bool) error {
	for range 3 {
		p := metadataPatch{annotations: annotations}
		if release && hasFinalizer(cr) {
			p.finalizers, p.resourceVersion = without(cr.Finalizers, FinalizerRevokeSuperseded), cr.ResourceVersion
		}
		if len(p.annotations) == 0 && p.finalizers == nil {
			return nil
		}
		err := p.apply(ctx, c, cr)
		if !errors.Is(err, errConflict) {
			return client.IgnoreNotFound(err)
		}
		if err := fresh.Get(ctx, client.ObjectKeyFromObject(cr), cr); err != nil {
			return client.IgnoreNotFound(err)
		}
	}
	return fmt.Errorf("writing CertificateRequest %s/%s: %w", cr.Namespace, cr.Name, errConflict)
}
