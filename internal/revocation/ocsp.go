package revocation

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"fmt"
	"slices"
	"time"

	"golang.org/x/crypto/ocsp"
)

// MaxOCSPBytes bounds an OCSP response that is parsed, in bytes: a real
// one, with a delegated responder's certificate, is a few kilobytes.
const MaxOCSPBytes = 64 << 10

// OCSPRequest returns the DER OCSP request (RFC 6960 section 4.1) for the
// status of leaf, issued by issuer, with SHA-1 CertID hashes, the one
// hash RFC 5019 section 2.1.1 requires every responder to accept.
func OCSPRequest(leaf, issuer *x509.Certificate) ([]byte, error) {
	der, err := ocsp.CreateRequest(leaf, issuer, &ocsp.RequestOptions{Hash: crypto.SHA1})
	if err != nil {
		return nil, fmt.Errorf("making the OCSP request: %w", err)
	}
	return der, nil
}

// ParseOCSP parses a DER OCSP response for leaf and verifies it before it
// is believed: at most MaxOCSPBytes; a successful response (RFC 6960
// section 4.2.1) about leaf's serial; signed by issuer, or by a delegated
// responder that issuer signed and that carries the id-kp-OCSPSigning
// extended key usage (RFC 6960 section 4.2.2.2); thisUpdate not in the
// future and nextUpdate, when present, not past (each allowing
// MaxClockSkew; a past one is an error wrapping ErrStale).
func ParseOCSP(der []byte, leaf, issuer *x509.Certificate, now time.Time) (Status, error) {
	if len(der) > MaxOCSPBytes {
		return Status{}, fmt.Errorf("the OCSP response is %d bytes, more than %d", len(der), MaxOCSPBytes)
	}
	resp, err := ocsp.ParseResponseForCert(der, leaf, issuer)
	if err != nil {
		return Status{}, fmt.Errorf("the OCSP response: %w", err)
	}
	if resp.Certificate != nil && !bytes.Equal(resp.Certificate.Raw, issuer.Raw) &&
		!slices.Contains(resp.Certificate.ExtKeyUsage, x509.ExtKeyUsageOCSPSigning) {
		return Status{}, fmt.Errorf("the OCSP response is signed by %q, which lacks the OCSPSigning extended key usage", resp.Certificate.Subject)
	}
	if resp.SerialNumber == nil || resp.SerialNumber.Cmp(leaf.SerialNumber) != 0 {
		return Status{}, fmt.Errorf("the OCSP response is about another serial")
	}
	if err := checkWindow("OCSP response", resp.ThisUpdate, resp.NextUpdate, now, false); err != nil {
		return Status{}, err
	}
	switch resp.Status {
	case ocsp.Good:
		return Status{State: Good}, nil
	case ocsp.Revoked:
		return Status{State: Revoked, RevokedAt: resp.RevokedAt, Reason: resp.RevocationReason}, nil
	default:
		return Status{State: Unknown}, nil
	}
}
