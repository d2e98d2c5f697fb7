package revocation

import (
	"strconv"
	"time"
)

// MaxClockSkew is how far a CRL's or OCSP response's thisUpdate may lie in
// the future, and how long past its nextUpdate it is still believed, to
// allow for clocks that differ between the PCA and the cluster.
const MaxClockSkew = 5 * time.Minute

// State is a certificate's revocation state.
type State string

// States of a certificate; they are also the result label of the
// revocation check metric.
const (
	// Good: the CA has not revoked the certificate.
	Good State = "good"
	// Revoked: the CA revoked the certificate (or put it on hold).
	Revoked State = "revoked"
	// Unknown: the OCSP responder does not know the certificate (RFC 6960
	// section 2.2); a CRL never answers unknown.
	Unknown State = "unknown"
)

// Status is what a CRL or OCSP response says of one certificate.
type Status struct {
	State State
	// RevokedAt is when the certificate was revoked; zero unless Revoked.
	RevokedAt time.Time
	// Reason is the RFC 5280 section 5.3.1 CRLReason code; 0
	// (unspecified) when the answer gives none.
	Reason int
}

// reasonNames are the RFC 5280 section 5.3.1 CRLReason names by code
// (7 is not used).
var reasonNames = map[int]string{
	0:  "unspecified",
	1:  "keyCompromise",
	2:  "cACompromise",
	3:  "affiliationChanged",
	4:  "superseded",
	5:  "cessationOfOperation",
	6:  "certificateHold",
	8:  "removeFromCRL",
	9:  "privilegeWithdrawn",
	10: "aACompromise",
}

// ReasonName returns the RFC 5280 section 5.3.1 name of a CRLReason code,
// e.g. "keyCompromise" for 1, or "unknown(N)" for a code RFC 5280 does
// not define.
func ReasonName(code int) string {
	if name, ok := reasonNames[code]; ok {
		return name
	}
	return "unknown(" + strconv.Itoa(code) + ")"
}
