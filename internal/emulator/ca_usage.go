package emulator

import (
	"crypto/x509"
	"slices"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// keyUsages maps the template keyUsage values to RFC 5280 4.2.1.3 bits.
var keyUsages = map[string]x509.KeyUsage{
	wire.KeyUsageDigitalSignature: x509.KeyUsageDigitalSignature,
	wire.KeyUsageNonRepudiation:   x509.KeyUsageContentCommitment,
	wire.KeyUsageKeyEncipherment:  x509.KeyUsageKeyEncipherment,
	wire.KeyUsageDataEncipherment: x509.KeyUsageDataEncipherment,
	wire.KeyUsageKeyAgreement:     x509.KeyUsageKeyAgreement,
	wire.KeyUsageKeyCertSign:      x509.KeyUsageCertSign,
	wire.KeyUsageCRLSign:          x509.KeyUsageCRLSign,
	wire.KeyUsageEncipherOnly:     x509.KeyUsageEncipherOnly,
	wire.KeyUsageDecipherOnly:     x509.KeyUsageDecipherOnly,
}

// extKeyUsages maps the template extendedKeyUsage values to RFC 5280
// 4.2.1.12 purposes.
var extKeyUsages = map[string]x509.ExtKeyUsage{
	wire.ExtKeyUsageServerAuth:      x509.ExtKeyUsageServerAuth,
	wire.ExtKeyUsageClientAuth:      x509.ExtKeyUsageClientAuth,
	wire.ExtKeyUsageCodeSigning:     x509.ExtKeyUsageCodeSigning,
	wire.ExtKeyUsageEmailProtection: x509.ExtKeyUsageEmailProtection,
	wire.ExtKeyUsageTimeStamping:    x509.ExtKeyUsageTimeStamping,
	wire.ExtKeyUsageOCSPSigning:     x509.ExtKeyUsageOCSPSigning,
	wire.ExtKeyUsageAny:             x509.ExtKeyUsageAny,
}

// caKeyUsage is the key usage of ROOT and INTERMEDIATE certificates.
// Assumed: certificate and CRL signing only.
const caKeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign

// keyUsageBits turns checked keyUsage names into bits.
func keyUsageBits(names []string) x509.KeyUsage {
	var bits x509.KeyUsage
	for _, n := range names {
		bits |= keyUsages[n]
	}
	return bits
}

// keyUsageNames lists the names of the bits set, sorted.
func keyUsageNames(bits x509.KeyUsage) []string {
	names := []string{}
	for name, bit := range keyUsages {
		if bits&bit != 0 {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// extKeyUsageList turns checked extendedKeyUsage names into purposes.
func extKeyUsageList(names []string) []x509.ExtKeyUsage {
	out := make([]x509.ExtKeyUsage, 0, len(names))
	for _, n := range names {
		out = append(out, extKeyUsages[n])
	}
	return out
}

// extKeyUsageNames lists the API names of the purposes it knows, sorted.
func extKeyUsageNames(usages []x509.ExtKeyUsage) []string {
	names := []string{}
	for name, u := range extKeyUsages {
		if slices.Contains(usages, u) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}
