// Package controller holds the reconcilers of pca-issuer: one per issuer
// kind (health: can the store and the template be read with the Secret's
// credentials?), and one per request kind (cert-manager
// CertificateRequests, Kubernetes CertificateSigningRequests) whose issuer
// reference names them, signing through the issuer's template in SIGN
// mode.
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
