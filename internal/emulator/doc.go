// Package emulator is a local stand-in for the NHN Cloud Private CA API
// v2.0, for demos, tests and local development: an HTTP server that answers
// as docs/pca-api.md describes, in the wire types of internal/pca/wire, and
// issues real X.509 certificates, CRLs and OCSP responses.
//
// Its scope: faithful to the PCA API, and simple to read. Speed matters
// only where the issuer's tests or benchmark need it; docs/benchmarks.md
// holds the emulator's issuance rate against what the issuer's benchmark
// asks of it.
//
// It is a small CA in three layers:
//   - package ca: the X.509 work (certificates from a profile, CRLs, OCSP
//     responses, keys, serial numbers, names) and the CA's in-memory state;
//     no HTTP, no storage.
//   - package db: the storage interface, in memory or in a bbolt file.
//   - this package: the API's rules (service*.go, leafpolicy.go,
//     validate.go, bootstrap.go), which return domain errors (errors.go),
//     and the HTTP layer (routes.go, respond.go, handlers_*.go, auth.go,
//     token.go), where statusOf maps those errors to the status and
//     resultCode. Test aids: faults.go, calls.go, counter.go, admin.go.
//
// Where the provider's guide is silent, the emulator's choices are the rows
// of docs/pca-api.md, Emulator assumptions, cited by ID where the code
// makes them.
package emulator
