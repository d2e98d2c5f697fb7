package ca

import (
	"crypto/x509"
	"slices"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// KeyUsages maps the template keyUsage values to RFC 5280 4.2.1.3 bits.
var KeyUsages = map[string]x509.KeyUsage{
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

// ExtKeyUsages maps the template extendedKeyUsage values to RFC 5280
// 4.2.1.12 purposes.
var ExtKeyUsages = map[string]x509.ExtKeyUsage{
	wire.ExtKeyUsageServerAuth:      x509.ExtKeyUsageServerAuth,
	wire.ExtKeyUsageClientAuth:      x509.ExtKeyUsageClientAuth,
	wire.ExtKeyUsageCodeSigning:     x509.ExtKeyUsageCodeSigning,
	wire.ExtKeyUsageEmailProtection: x509.ExtKeyUsageEmailProtection,
	wire.ExtKeyUsageTimeStamping:    x509.ExtKeyUsageTimeStamping,
	wire.ExtKeyUsageOCSPSigning:     x509.ExtKeyUsageOCSPSigning,
	wire.ExtKeyUsageAny:             x509.ExtKeyUsageAny,
}

// CAKeyUsage is the key usage of ROOT and INTERMEDIATE certificates
// (docs/pca-api.md, A22).
const CAKeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign

// KeyUsageBits turns checked keyUsage names into bits.
func KeyUsageBits(names []string) x509.KeyUsage {
	var bits x509.KeyUsage
	for _, n := range names {
		bits |= KeyUsages[n]
	}
	return bits
}

// KeyUsageNames lists the names of the bits set, sorted.
func KeyUsageNames(bits x509.KeyUsage) []string {
	names := []string{}
	for name, bit := range KeyUsages {
		if bits&bit != 0 {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// ExtKeyUsageList turns checked extendedKeyUsage names into purposes.
func ExtKeyUsageList(names []string) []x509.ExtKeyUsage {
	out := make([]x509.ExtKeyUsage, 0, len(names))
	for _, n := range names {
		out = append(out, ExtKeyUsages[n])
	}
	return out
}

// ExtKeyUsageNames lists the API names of the purposes it knows, sorted.
func ExtKeyUsageNames(usages []x509.ExtKeyUsage) []string {
	names := []string{}
	for name, u := range ExtKeyUsages {
		if slices.Contains(usages, u) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}
