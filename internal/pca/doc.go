// Package pca is a client for the NHN Cloud Private CA API v2.0.
//
// The wire types in this package are named as on the wire (caStoreId,
// ttlValue, chainCertificatePem, ...) and are shared with the local emulator
// in internal/emulator, so that both sides speak one contract. Every choice
// the provider's guide leaves open is marked "Assumed" in a comment here.
package pca
