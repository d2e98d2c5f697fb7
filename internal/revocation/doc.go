// Package revocation decides the revocation status of a certificate from
// the answers of an untrusted PCA: a CRL (RFC 5280 section 5) or an OCSP
// response (RFC 6960). Every answer is held to the issuing CA certificate
// it must be signed by, to its validity window, and to a size bound before
// it is believed (docs/revocation.md, "Revocation checks").
//
// The package does no I/O: callers fetch the bytes, this package parses
// and verifies them and answers good, revoked (with the RFC 5280 reason)
// or unknown.
package revocation
