package controller

import (
	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// CacheOptions returns the manager's cache settings: cached
// CertificateRequests lose their CSR and certificate PEMs (the largest
// part of each object, and most requests in a cluster are long finished),
// since the reconciler reads a request it signs past the cache anyway.
// Secrets are cached as metadata only (see clients.For), and without
// their annotations and managedFields: kubectl's last-applied-configuration
// annotation, and managedFields, can hold a Secret's data, and the cache
// spans every namespace.
func CacheOptions() cache.Options {
	return cache.Options{
		ByObject: map[client.Object]cache.ByObject{
			&cmapi.CertificateRequest{}: {Transform: stripCertificateRequest},
			secretMetadata():            {Transform: stripSecretMetadata},
		},
	}
}

// secretMetadata is the metadata-only form of a Secret, as the cache keys
// it.
func secretMetadata() *metav1.PartialObjectMetadata {
	m := &metav1.PartialObjectMetadata{}
	m.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	return m
}

// stripSecretMetadata drops annotations and managedFields from a cached
// Secret's metadata; the name, namespace, labels and resourceVersion that
// the reconcilers read stay.
func stripSecretMetadata(obj any) (any, error) {
	m, ok := obj.(*metav1.PartialObjectMetadata)
	if !ok {
		return obj, nil
	}
	m.Annotations = nil
	m.ManagedFields = nil
	return m, nil
}

// stripCertificateRequest drops spec.request, status.certificate,
// status.ca and managedFields from a cached CertificateRequest.
func stripCertificateRequest(obj any) (any, error) {
	cr, ok := obj.(*cmapi.CertificateRequest)
	if !ok {
		return obj, nil
	}
	cr.Spec.Request = nil
	cr.Status.Certificate = nil
	cr.Status.CA = nil
	cr.ManagedFields = nil
	return cr, nil
}
