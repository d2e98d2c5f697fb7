package controller

import (
	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// CacheOptions returns the manager's cache settings: cached
// CertificateRequests lose their CSR and certificate PEMs (the largest
// part of each object, and most requests in a cluster are long finished),
// since the reconciler reads a request it signs past the cache anyway.
// Secrets are cached as metadata only (see clients.For).
func CacheOptions() cache.Options {
	return cache.Options{
		ByObject: map[client.Object]cache.ByObject{
			&cmapi.CertificateRequest{}: {Transform: stripCertificateRequest},
		},
	}
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
