package signer

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"

	"github.com/cert-manager/cert-manager/pkg/util/pki"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

// pemTypeCSR is the PEM block type of a PKCS #10 request (RFC 7468 section 7).
const pemTypeCSR = "CERTIFICATE REQUEST"

// pemTypeLegacyCSR is the older spelling some tools still write; it is
// accepted and rewritten as pemTypeCSR.
const pemTypeLegacyCSR = "NEW CERTIFICATE REQUEST"

// parseCSR decodes csrPEM, which must hold exactly one PEM CERTIFICATE
// REQUEST block, and checks the request's self-signature (RFC 2986 section
// 4.2). It returns the request and the block re-encoded alone, without
// headers or surrounding text. Every failure is a *PermanentError with
// v1alpha1.ReasonInvalidCSR.
func parseCSR(csrPEM []byte) (*x509.CertificateRequest, []byte, error) {
	if err := checkSingleCSRBlock(csrPEM); err != nil {
		return nil, nil, permanent(v1alpha1.ReasonInvalidCSR, "spec.request must hold exactly one PEM CERTIFICATE REQUEST block", err)
	}
	csr, err := pki.DecodeX509CertificateRequestBytes(csrPEM)
	if err != nil {
		return nil, nil, permanent(v1alpha1.ReasonInvalidCSR, "spec.request is not a valid PKCS #10 certificate request", err)
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, nil, permanent(v1alpha1.ReasonInvalidCSR, "the signature of the certificate request in spec.request does not verify; create the request again with its private key", err)
	}
	normalised := pem.EncodeToMemory(&pem.Block{Type: pemTypeCSR, Bytes: csr.Raw})
	return csr, normalised, nil
}

// checkSingleCSRBlock reports an error unless b holds exactly one PEM block
// and that block is a certificate request. Text around the block is allowed,
// as pem.Decode allows it.
func checkSingleCSRBlock(b []byte) error {
	block, rest := pem.Decode(b)
	if block == nil {
		return fmt.Errorf("no PEM block found")
	}
	if block.Type != pemTypeCSR && block.Type != pemTypeLegacyCSR {
		return fmt.Errorf("PEM block is %q, not %q", block.Type, pemTypeCSR)
	}
	if extra, _ := pem.Decode(rest); extra != nil {
		return fmt.Errorf("a second PEM block %q follows the certificate request", extra.Type)
	}
	return nil
}
