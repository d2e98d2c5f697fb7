package emulator

import (
	"crypto/x509"
	"slices"

	"github.com/nhnpca/pca-issuer/internal/pca"
)

// keyUsages maps the template keyUsage values to RFC 5280 4.2.1.3 bits.
var keyUsages = map[string]x509.KeyUsage{
	pca.KeyUsageDigitalSignature: x509.KeyUsageDigitalSignature,
	pca.KeyUsageNonRepudiation:   x509.KeyUsageContentCommitment,
	pca.KeyUsageKeyEncipherment:  x509.KeyUsageKeyEncipherment,
	pca.KeyUsageDataEncipherment: x509.KeyUsageDataEncipherment,
	pca.KeyUsageKeyAgreement:     x509.KeyUsageKeyAgreement,
	pca.KeyUsageKeyCertSign:      x509.KeyUsageCertSign,
	pca.KeyUsageCRLSign:          x509.KeyUsageCRLSign,
	pca.KeyUsageEncipherOnly:     x509.KeyUsageEncipherOnly,
	pca.KeyUsageDecipherOnly:     x509.KeyUsageDecipherOnly,
}

// extKeyUsages maps the template extendedKeyUsage values to RFC 5280
// 4.2.1.12 purposes.
var extKeyUsages = map[string]x509.ExtKeyUsage{
	pca.ExtKeyUsageServerAuth:      x509.ExtKeyUsageServerAuth,
	pca.ExtKeyUsageClientAuth:      x509.ExtKeyUsageClientAuth,
	pca.ExtKeyUsageCodeSigning:     x509.ExtKeyUsageCodeSigning,
	pca.ExtKeyUsageEmailProtection: x509.ExtKeyUsageEmailProtection,
	pca.ExtKeyUsageTimeStamping:    x509.ExtKeyUsageTimeStamping,
	pca.ExtKeyUsageOCSPSigning:     x509.ExtKeyUsageOCSPSigning,
	pca.ExtKeyUsageAny:             x509.ExtKeyUsageAny,
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
