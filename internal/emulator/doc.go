// Package emulator is a local stand-in for the NHN Cloud Private CA API v2.0:
// an HTTP server that speaks the wire contract of internal/pca (the same
// request and response types) and issues real X.509 certificates with the
// Go standard library.
//
// It is meant for demos, tests and local development. The layers are kept
// apart so that each can grow on its own:
//
//   - HTTP: routes.go, respond.go and the handlers_*.go files decode
//     requests, check auth (auth.go, token.go) and write the envelope.
//   - Service: service_*.go hold the API's rules (validation, parents,
//     counts, templates, CRL and OCSP) over a storage interface
//     (storage.go; memory.go in memory, bolt.go in a bbolt file).
//   - Test aids: faults.go (injected latency, errors, dropped connections),
//     calls.go (requests per route), admin.go (the admin HTTP routes).
//   - CA: ca_*.go make keys, serial numbers, certificates, CRLs and OCSP
//     responses, with no knowledge of HTTP or storage.
//
// Every choice the provider's guide leaves open is listed in assumed.go.
package emulator
