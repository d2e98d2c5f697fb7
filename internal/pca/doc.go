// Package pca is a client for the NHN Cloud Private CA API v2.0: the calls
// the issuer makes (read stores, templates and certificates, issue with a
// template, revoke, read CRLs and ask OCSP), with token handling, a retry
// after 401, an optional rate limit and bounds on every answer.
//
// The bodies it sends and reads are in the sub-package wire, shared with
// the local emulator. Each API concept keeps its methods in one file named
// as its wire file (store.go, certificate.go, template.go, crl.go,
// ocsp.go). Calls only tests make (store, template and issuer management)
// are built on Client.Call outside this package.
//
// Where the provider's guide is silent, a comment cites the row of
// docs/pca-api.md's "Emulator assumptions" table the client relies on.
package pca
