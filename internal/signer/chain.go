package signer

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/cert-manager/cert-manager/pkg/util/pki"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// ErrBadResponse is wrapped by every error ChainFromResponse returns for an
// answer that fails its checks.
var ErrBadResponse = errors.New("the PCA's answer failed verification")

// ChainFromResponse checks the PCA's answer to template issuance and splits
// it for the CertificateRequest's status.
//
// csrPEM is spec.request, as given to BuildSignRequest. The certificates of
// resp.CertificatePem and resp.ChainCertificatePem (PEM, any order,
// duplicates and blank lines allowed) must form one chain, ordered by
// signature rather than by position, that starts at the certificate carrying
// the CSR's public key and ends at a self-signed root; x509 path validation
// with that root as the only trust anchor must succeed (RFC 5280 section 6).
//
// It returns certificate, the leaf followed by the intermediates (PEM,
// leaf first, for status.certificate), and ca, the root (PEM, for
// status.ca).
//
// An answer that fails a check is never to be written. Such a failure is
// not the user's fault and may be fixed on the server side, so it is a
// *RetryableError wrapping ErrBadResponse: retried within the retry window,
// then the request fails. A csrPEM that does not parse is a
// *PermanentError with v1alpha1.ReasonInvalidCSR.
func ChainFromResponse(csrPEM []byte, resp *wire.Certificate) (certificate, ca []byte, err error) {
	csr, _, err := parseCSR(csrPEM)
	if err != nil {
		return nil, nil, err
	}
	v, err := verifiedChain(csr, resp)
	if err != nil {
		return nil, nil, err
	}
	return v.chainPEM, v.caPEM, nil
}

// verified is an answer whose chain passed the checks of ChainFromResponse:
// the chain (leaf first) and its root, parsed and as PEM.
type verified struct {
	chain           []*x509.Certificate
	root            *x509.Certificate
	chainPEM, caPEM []byte
}

// verifiedChain does the checks of ChainFromResponse on a parsed CSR. A
// failure is a *RetryableError wrapping ErrBadResponse.
func verifiedChain(csr *x509.CertificateRequest, resp *wire.Certificate) (*verified, error) {
	if resp == nil {
		return nil, badResponse("no certificate in the answer")
	}
	v, err := orderedChain(csr, resp)
	if err != nil {
		return nil, &RetryableError{Err: fmt.Errorf("%w: %w", ErrBadResponse, err)}
	}
	return v, nil
}

// orderedChain orders the answer's certificates into one chain from the
// CSR's key to a self-signed root and verifies it.
func orderedChain(csr *x509.CertificateRequest, resp *wire.Certificate) (*verified, error) {
	// A newline between the two fields: pem.Decode only finds a block that
	// starts a line.
	certs, err := pki.DecodeX509CertificateChainBytes([]byte(resp.CertificatePem + "\n" + resp.ChainCertificatePem))
	if err != nil {
		return nil, fmt.Errorf("certificatePem and chainCertificatePem: %w", err)
	}
	if err := anyCarriesKey(certs, csr); err != nil {
		return nil, err
	}
	// Orders by signature, drops duplicates, fails unless all certificates
	// form a single chain.
	bundle, err := pki.ParseSingleCertificateChain(certs)
	if err != nil {
		return nil, fmt.Errorf("the certificates do not form one chain: %w", err)
	}
	chain, root, err := splitBundle(bundle)
	if err != nil {
		return nil, err
	}
	if ok, err := pki.PublicKeysEqual(csr.PublicKey, chain[0].PublicKey); err != nil || !ok {
		return nil, errors.New("the certificate with the CSR's public key does not start the chain")
	}
	if err := verifyPath(chain, root); err != nil {
		return nil, err
	}
	return &verified{chain: chain, root: root, chainPEM: bundle.ChainPEM, caPEM: bundle.CAPEM}, nil
}

// anyCarriesKey reports an error unless some certificate carries the CSR's
// public key.
func anyCarriesKey(certs []*x509.Certificate, csr *x509.CertificateRequest) error {
	for _, c := range certs {
		if ok, err := pki.PublicKeysEqual(csr.PublicKey, c.PublicKey); err == nil && ok {
			return nil
		}
	}
	return errors.New("no certificate in the answer carries the CSR's public key")
}

// splitBundle decodes the ordered chain and the root of bundle, and checks
// that the chain ends at a self-signed root distinct from the leaf.
func splitBundle(bundle pki.PEMBundle) ([]*x509.Certificate, *x509.Certificate, error) {
	if len(bundle.CAPEM) == 0 {
		return nil, nil, errors.New("the chain has no root")
	}
	root, err := pki.DecodeX509CertificateBytes(bundle.CAPEM)
	if err != nil {
		return nil, nil, fmt.Errorf("root: %w", err)
	}
	if root.CheckSignatureFrom(root) != nil {
		return nil, nil, fmt.Errorf("the chain ends at %q, which is not a self-signed root", root.Subject)
	}
	chain, err := pki.DecodeX509CertificateChainBytes(bundle.ChainPEM)
	if err != nil {
		return nil, nil, fmt.Errorf("chain: %w", err)
	}
	if bytes.Equal(chain[0].Raw, root.Raw) {
		return nil, nil, errors.New("the answer holds a self-signed certificate only, no leaf issued by a CA")
	}
	return chain, root, nil
}

// verifyPath runs x509 path validation of chain (leaf first) up to root as
// the only trust anchor, for any extended key usage. It validates at the
// latest notBefore of the path, a moment at which every certificate must be
// valid: the check is about signatures and the shape of the answer, and a
// skew between the cluster's clock and the PCA's must not turn a good answer
// into a retry (which would issue a second certificate).
func verifyPath(chain []*x509.Certificate, root *x509.Certificate) error {
	roots := x509.NewCertPool()
	roots.AddCert(root)
	intermediates := x509.NewCertPool()
	at := root.NotBefore
	for i, c := range chain {
		if i > 0 {
			intermediates.AddCert(c)
		}
		if c.NotBefore.After(at) {
			at = c.NotBefore
		}
	}
	_, err := chain[0].Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: intermediates,
		CurrentTime:   at,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return fmt.Errorf("the chain does not verify up to its root: %w", err)
	}
	return nil
}

// badResponse builds the error of an answer that fails a check.
func badResponse(msg string) error {
	return &RetryableError{Err: fmt.Errorf("%w: %s", ErrBadResponse, msg)}
}
