package revocation

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// MaxCRLBytes bounds a CRL that is parsed, in bytes: 4 MiB, some 75,000
// entries. Parsing takes some 14 bytes of heap per byte of CRL
// (x509.ParseRevocationList keeps every entry with its extensions): 10 MiB,
// the PCA client's download bound, would take some 150 MB, most of the
// manager's memory limit, for one CRL a tenant's PCA chooses. A larger
// CRL is an error; the check falls back to OCSP where the store has it.
const MaxCRLBytes = 4 << 20

// ErrStale is wrapped by the errors of a CRL or OCSP response whose
// nextUpdate has passed (by more than MaxClockSkew): the PCA serves an
// answer that no longer tells the current state.
var ErrStale = errors.New("the answer is past its nextUpdate")

// Extensions of a CRL. A delta CRL indicator or an issuing distribution
// point (RFC 5280 sections 5.2.4 and 5.2.5) makes a CRL something other
// than the CA's complete list, which cannot prove a certificate good; the
// authority key identifier and CRL number are understood.
var (
	oidDeltaCRLIndicator        = asn1.ObjectIdentifier{2, 5, 29, 27}
	oidIssuingDistributionPoint = asn1.ObjectIdentifier{2, 5, 29, 28}
	oidAuthorityKeyIdentifier   = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidCRLNumber                = asn1.ObjectIdentifier{2, 5, 29, 20}
	understoodCRLExtensions     = []asn1.ObjectIdentifier{oidAuthorityKeyIdentifier, oidCRLNumber}
)

// CRL is a verified CRL: every serial the CA lists as revoked.
type CRL struct {
	// ThisUpdate and NextUpdate are the CRL's validity window.
	ThisUpdate, NextUpdate time.Time
	revoked                map[string]Status
}

// ParseCRL parses a DER CRL and verifies it before anything in it is
// believed: at most MaxCRLBytes; issued by issuer (its issuer name is the
// issuer's subject) and signed by issuer's key (RFC 5280 section 6.3.3);
// a complete CRL (no delta CRL indicator, no issuing distribution point,
// no other critical extension); thisUpdate not in the future and
// nextUpdate present and not past (each allowing MaxClockSkew). A CRL past
// its nextUpdate is an error wrapping ErrStale.
func ParseCRL(der []byte, issuer *x509.Certificate, now time.Time) (*CRL, error) {
	if len(der) > MaxCRLBytes {
		return nil, fmt.Errorf("the CRL is %d bytes, more than %d", len(der), MaxCRLBytes)
	}
	list, err := x509.ParseRevocationList(der)
	if err != nil {
		return nil, fmt.Errorf("parsing the CRL: %w", err)
	}
	if !bytes.Equal(list.RawIssuer, issuer.RawSubject) {
		return nil, fmt.Errorf("the CRL is issued by %q, not by %q", list.Issuer, issuer.Subject)
	}
	if err := list.CheckSignatureFrom(issuer); err != nil {
		return nil, fmt.Errorf("the CRL's signature does not verify with %q: %w", issuer.Subject, err)
	}
	for _, ext := range list.Extensions {
		switch {
		case ext.Id.Equal(oidDeltaCRLIndicator), ext.Id.Equal(oidIssuingDistributionPoint):
			return nil, fmt.Errorf("the CRL has extension %s: it is not the CA's complete CRL", ext.Id)
		case ext.Critical && !known(ext.Id):
			return nil, fmt.Errorf("the CRL has unsupported critical extension %s", ext.Id)
		}
	}
	if err := checkWindow("CRL", list.ThisUpdate, list.NextUpdate, now, true); err != nil {
		return nil, err
	}
	out := &CRL{ThisUpdate: list.ThisUpdate, NextUpdate: list.NextUpdate, revoked: make(map[string]Status, len(list.RevokedCertificateEntries))}
	for _, e := range list.RevokedCertificateEntries {
		if e.SerialNumber == nil || e.SerialNumber.Sign() < 0 {
			// No certificate has a negative serial (RFC 5280 section
			// 4.1.2.2), and the key below is the magnitude: -5 must not
			// revoke 5.
			continue
		}
		out.revoked[string(e.SerialNumber.Bytes())] = Status{State: Revoked, RevokedAt: e.RevocationTime, Reason: e.ReasonCode}
	}
	return out, nil
}

// known reports whether a CRL extension is one this package understands.
func known(id asn1.ObjectIdentifier) bool {
	for _, k := range understoodCRLExtensions {
		if id.Equal(k) {
			return true
		}
	}
	return false
}

// Status returns the state of the certificate with serial under the CRL's
// issuer: Revoked with its time and reason when listed, else Good.
func (c *CRL) Status(serial *big.Int) Status {
	if s, ok := c.revoked[string(serial.Bytes())]; ok {
		return s
	}
	return Status{State: Good}
}

// Len is the number of revoked serials the CRL lists.
func (c *CRL) Len() int { return len(c.revoked) }

// checkWindow holds an answer's thisUpdate and nextUpdate to now, allowing
// MaxClockSkew; needNext makes a missing nextUpdate an error (RFC 5280
// section 5.1.2.5: conforming CRL issuers include it).
func checkWindow(what string, thisUpdate, nextUpdate, now time.Time, needNext bool) error {
	if thisUpdate.After(now.Add(MaxClockSkew)) {
		return fmt.Errorf("the %s's thisUpdate %s is in the future", what, thisUpdate.UTC().Format(time.RFC3339))
	}
	if nextUpdate.IsZero() {
		if needNext {
			return fmt.Errorf("the %s has no nextUpdate: it cannot be told from a stale one", what)
		}
		return nil
	}
	if nextUpdate.Before(thisUpdate) {
		return fmt.Errorf("the %s's nextUpdate %s is before its thisUpdate", what, nextUpdate.UTC().Format(time.RFC3339))
	}
	if now.After(nextUpdate.Add(MaxClockSkew)) {
		return fmt.Errorf("the %s's nextUpdate %s has passed: %w", what, nextUpdate.UTC().Format(time.RFC3339), ErrStale)
	}
	return nil
}
