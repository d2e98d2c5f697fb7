// Package controller holds the four reconcilers of pca-issuer:
//
//   - PCAIssuer and PCAClusterIssuer (IssuerReconciler, one type for both
//     kinds): keep Ready true to whether the store and the template can be
//     read with the Secret's credentials, and pin the CA chain the template
//     signs under;
//   - cert-manager CertificateRequests (CertificateRequestReconciler) and
//     Kubernetes CertificateSigningRequests
//     (CertificateSigningRequestReconciler) whose issuer reference names
//     one of those issuers: signed through the issuer's template in SIGN
//     mode (docs/pca-api.md#issuance-in-sign-mode).
//
// Every request kind goes through one pipeline (pipeline.go) over a small
// adapter per kind (request.go): the same decisions, template choice,
// Pending messages, failure reasons and events for every kind.
//
// Reconcilers fetch, compute the new status, and apply one status patch.
// Only the issuer reconciler writes an issuer's status: a request that
// meets an issuer fault reports it (issuer_faults.go), and the issuer is
// checked again at once. Only this package turns the error kinds of
// internal/signer into conditions, events and requeues.
package controller
