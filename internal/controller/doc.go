// Package controller holds the reconcilers of pca-issuer: one for the two
// issuer kinds (health: can the store and the template be read with the
// Secret's credentials?) and one for cert-manager CertificateRequests whose
// issuerRef points at them (sign through the template in SIGN mode).
//
// Reconcilers fetch, compute the new status, and apply one status patch.
// Only this package turns the error kinds of internal/signer into
// conditions, events and requeues.
package controller
