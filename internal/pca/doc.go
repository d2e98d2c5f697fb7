// Package pca is a client for the NHN Cloud Private CA API v2.0.
//
// The wire types in this package are named as on the wire (caStoreId,
// ttlValue, chainCertificatePem, ...) and are shared with the local emulator
// in internal/emulator, so that both sides speak the API as docs/pca-api.md
// describes it. Where the provider's guide is silent, a comment cites the
// row of that page's "Emulator assumptions" table the client relies on.
package pca
