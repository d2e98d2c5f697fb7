package controller

// The manager's RBAC, in one place: make manifests generates
// config/rbac/role.yaml from these markers, and make helm-crds copies it
// into the chart's manager ClusterRole. Each grant names the calls that
// need it; the end-to-end tests run the manager under exactly this role.
//
// Issuers: read both kinds (watches of the CertificateRequest and
// CertificateSigningRequest reconcilers, the issuer reconciler) and write
// their Ready condition.
//
// +kubebuilder:rbac:groups=nhnpca.issuer.dev,resources=pcaissuers;pcaclusterissuers,verbs=get;list;watch
// +kubebuilder:rbac:groups=nhnpca.issuer.dev,resources=pcaissuers/status;pcaclusterissuers/status,verbs=get;patch;update
//
// Credentials: Secrets are watched as metadata (to wake an issuer when its
// Secret changes) and read with a direct get when their resourceVersion
// changed.
//
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
//
// Events: the reconcilers record through events.k8s.io, leader election
// through the core group; a repeated event is a patch of its series.
//
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
//
// cert-manager CertificateRequests: the in-flight marker, the issuance
// record and the revocation state are patches of the object's annotations
// (and of its finalizers, for revokeSuperseded), the result a patch of its
// status.
//
// +kubebuilder:rbac:groups=cert-manager.io,resources=certificaterequests,verbs=get;list;watch;patch;update
// +kubebuilder:rbac:groups=cert-manager.io,resources=certificaterequests/status,verbs=get;patch;update
//
// cert-manager Certificates: revocation reads them (and their Secrets with
// a direct get), removes the nhnpca.issuer.dev/revoke annotation once done,
// and renews a revoked certificate by setting the Issuing condition, as
// cmctl renew does.
//
// +kubebuilder:rbac:groups=cert-manager.io,resources=certificates,verbs=get;list;watch;patch;update
// +kubebuilder:rbac:groups=cert-manager.io,resources=certificates/status,verbs=get;patch;update
//
// Kubernetes CertificateSigningRequests: the in-flight marker is a patch of
// the CSR object itself; the certificate and the Failed condition are
// status writes, which the API server accepts only from a user who may
// sign for the CSR's signer name (verb sign on certificates.k8s.io
// signers), here only this project's signer names.
//
// +kubebuilder:rbac:groups=certificates.k8s.io,resources=certificatesigningrequests,verbs=get;list;watch;patch;update
// +kubebuilder:rbac:groups=certificates.k8s.io,resources=certificatesigningrequests/status,verbs=get;patch;update
// +kubebuilder:rbac:groups=certificates.k8s.io,resources=signers,verbs=sign,resourceNames=pcaissuers.nhnpca.issuer.dev/*;pcaclusterissuers.nhnpca.issuer.dev/*
//
// Trust bundles (docs/trust-bundle.md): the ConfigMap of
// spec.trustBundle is read past the cache and written whole, stale ones
// are listed by label and deleted; the ClusterTrustBundle of an issuer's
// signer name likewise, which the API server accepts only from a user who
// may attest for that signer name (verb attest on certificates.k8s.io
// signers), here only this project's signer names.
//
// +kubebuilder:rbac:groups="",resources=configmaps,verbs=get;list;create;update;delete
// +kubebuilder:rbac:groups=certificates.k8s.io,resources=clustertrustbundles,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=certificates.k8s.io,resources=signers,verbs=attest,resourceNames=pcaissuers.nhnpca.issuer.dev/*;pcaclusterissuers.nhnpca.issuer.dev/*
//
// A CSR naming a namespaced PCAIssuer is signed only when its requester may
// reference that signer: the manager asks the API server with a
// SubjectAccessReview.
//
// +kubebuilder:rbac:groups=authorization.k8s.io,resources=subjectaccessreviews,verbs=create
//
// Metrics are served to callers the API server vouches for: a TokenReview
// authenticates the scraper's token, a SubjectAccessReview (above)
// authorizes its get on /metrics (--metrics-secure).
//
// +kubebuilder:rbac:groups=authentication.k8s.io,resources=tokenreviews,verbs=create
//
// The leader election Lease is granted by a Role in the manager's own
// namespace (config/rbac/leader_election_role.yaml, the chart's
// leader-election-rbac.yaml), not here.
