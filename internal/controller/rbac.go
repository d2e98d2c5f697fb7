package controller

// RBAC of the manager for Kubernetes CertificateSigningRequests: read them,
// write their status, sign for this project's signer names only, and ask
// the API server whether a requester may reference a namespaced signer.
//
// +kubebuilder:rbac:groups=certificates.k8s.io,resources=certificatesigningrequests,verbs=get;list;watch
// +kubebuilder:rbac:groups=certificates.k8s.io,resources=certificatesigningrequests/status,verbs=get;patch;update
// +kubebuilder:rbac:groups=certificates.k8s.io,resources=signers,verbs=sign,resourceNames=pcaissuers.nhnpca.issuer.dev/*;pcaclusterissuers.nhnpca.issuer.dev/*
// +kubebuilder:rbac:groups=authorization.k8s.io,resources=subjectaccessreviews,verbs=create
