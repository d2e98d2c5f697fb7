// Package wire holds the JSON bodies, enums and date-time format of the
// NHN Cloud Private CA API v2.0, named as on the wire (caStoreId, ttlValue,
// chainCertificatePem, ...). The client in internal/pca and the emulator in
// internal/emulator both speak through these types, so both sides share one
// description of the API; the emulator imports this package and nothing
// else of the client.
//
// One file per concept: envelope.go (the response envelope and paging),
// datetime.go, status.go, x509.go (keys, signature algorithms, usages and
// subject fields shared by certificates and templates), store.go,
// certificate.go, template.go, crl.go, ocsp.go and token.go.
//
// Optional request numbers whose zero is a valid value (for example
// backDateValidation 0 or maxDepth -1) are pointers so that "unset" and
// "zero" differ. Where the provider's guide is silent, a comment cites
// the row of docs/pca-api.md's "Emulator assumptions" table. This package imports only the standard library.
package wire
