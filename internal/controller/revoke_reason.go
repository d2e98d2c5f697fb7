package controller

import (
	"fmt"
	"strings"
)

// revocationReasons are the reason names of RFC 5280 section 5.3.1
// (CRLReason), the values of the nhnpca.issuer.dev/revoke annotation, in
// code order (7 is unused).
var revocationReasons = []string{
	"unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded",
	"cessationOfOperation", "certificateHold", "removeFromCRL", "privilegeWithdrawn", "aACompromise",
}

// refusedReasons are the RFC 5280 reasons pca-issuer will not revoke with,
// and why. The PCA's revoke call is final (the API guide has no call to
// release a certificate), so a hold would be a revocation for good; and
// removeFromCRL only undoes a hold in a delta CRL, it revokes nothing.
var refusedReasons = map[string]string{
	"certificateHold": "certificateHold is a temporary hold, but a revocation through the PCA is permanent: use another reason (e.g. unspecified) to revoke for good",
	"removeFromCRL":   "removeFromCRL releases a held certificate in a delta CRL (RFC 5280 section 5.3.1); it revokes nothing, and the PCA has no release call",
}

// parseRevocationReason returns the RFC 5280 spelling of the reason named
// by value (case-insensitive, surrounding space ignored), or an error
// saying what to write instead.
func parseRevocationReason(value string) (string, error) {
	v := strings.TrimSpace(value)
	for _, r := range revocationReasons {
		if strings.EqualFold(v, r) {
			if why, refused := refusedReasons[r]; refused {
				return "", fmt.Errorf("%s", why)
			}
			return r, nil
		}
	}
	return "", fmt.Errorf("%q is not an RFC 5280 revocation reason: write one of %s", boundedMessage(value, 64), strings.Join(acceptedReasons(), ", "))
}

// acceptedReasons are the reasons parseRevocationReason accepts.
func acceptedReasons() []string {
	var out []string
	for _, r := range revocationReasons {
		if _, refused := refusedReasons[r]; !refused {
			out = append(out, r)
		}
	}
	return out
}
