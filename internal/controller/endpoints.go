package controller

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/netguard"
	"github.com/nhnpca/pca-issuer/internal/pca"
)

// dialTimeout bounds one TCP connect.
const dialTimeout = 10 * time.Second

// maxResponseHeaderBytes bounds an answer's headers (64 KiB); real answers
// carry a few hundred bytes of them.
const maxResponseHeaderBytes = 64 << 10

// endpointPolicy is what the manager allows of the endpoints that issuers
// name (docs/security.md, "Endpoints"): which addresses may be dialled and
// whether plain http is accepted.
type endpointPolicy struct {
	guard     *netguard.Guard
	allowHTTP bool
}

// endpointPolicyFrom reads the policy from the manager's options.
func endpointPolicyFrom(opts Options) endpointPolicy {
	return endpointPolicy{guard: netguard.New(opts.AllowedNetworks), allowHTTP: opts.AllowInsecureHTTP}
}

// httpClient returns an HTTP client for one issuer: it trusts caBundle (or
// the system roots when it is empty) and dials only addresses the guard
// allows. A refused address is a *pca.EndpointError, so the issuer reports
// it instead of retrying.
func (p endpointPolicy) httpClient(caBundle []byte) (*http.Client, error) {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if len(caBundle) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(caBundle) {
			return nil, &issuerConfigError{Reason: v1alpha1.ReasonCABundleInvalid,
				Message: "spec.caBundle holds no PEM certificate: set it to the PEM of the CA that signed the PCA API's serving certificate, or remove it"}
		}
		transport.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	// Headers count too: net/http would read up to 10 MiB of them.
	transport.MaxResponseHeaderBytes = maxResponseHeaderBytes
	guard := p.guard
	if guard == nil {
		guard = netguard.New(nil)
	}
	dialer := &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second,
		Control: func(network, address string, c syscall.RawConn) error {
			if err := guard.Control(network, address, c); err != nil {
				return &pca.EndpointError{Err: err}
			}
			return nil
		}}
	transport.DialContext = dialer.DialContext
	// A proxy from the environment (HTTPS_PROXY) stays: the guard then
	// judges the proxy's address, and the proxy its own rules.
	return &http.Client{Transport: transport, Timeout: apiTimeout}, nil
}
