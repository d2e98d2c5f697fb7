// Package pcaadmin is a PCA API client for tests: the store, template and
// issuer-certificate management calls, certificate download and CRL renewal
// that the issuer itself never makes. The harness, the contract test and
// the e2e tests use it to set up what a PCA administrator would set up in
// the console.
//
// It is built on pca.Client.Call, so token handling, the retry after 401,
// the rate limit and the answer bounds are the product client's own.
// Each concept keeps its calls in one file named as its wire file.
package pcaadmin
