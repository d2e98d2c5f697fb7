// Package signer is the pure part of issuance: it turns the CSR of a
// cert-manager CertificateRequest into the SIGN-mode body of PCA template
// issuance (POST /templates/{templateId}/certificates), checks the PCA's
// answer and splits it into the CertificateRequest's status.certificate and
// status.ca, and sorts errors into the three kinds the controller acts on.
//
// Nothing here does I/O or reads the clock; the controller turns the error
// kinds into conditions, events and requeues:
//
//   - *PermanentError: the request can never succeed as it is; the
//     CertificateRequest is marked Failed.
//   - *RetryableError: try again later, within the retry window; the
//     CertificateRequest stays Pending.
//   - *IssuerError: the issuer is not usable right now; the issuer is
//     checked again at once and the CertificateRequest stays Pending.
package signer
