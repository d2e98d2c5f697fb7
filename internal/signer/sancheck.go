package signer

import (
	"crypto/x509"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

// checkIssuedNames holds the issued leaf to the CSR: every DNS name, IP
// address, URI and otherName the CSR asks for must be among the leaf's
// SANs (that it carries nothing more is checkAnswer's concern). templateID
// names the template in the message.
//
// A missing name is a *PermanentError with v1alpha1.ReasonSANMissing
// naming the name and the template field that lets it through: useCsrSans
// for DNS names, allowIpSans for IP addresses, urlSansWhitelist for URIs
// and otherSansWhitelist for otherNames. The certificate is not written: a
// certificate without a requested name is not the one asked for.
func checkIssuedNames(csr *x509.CertificateRequest, leaf *x509.Certificate, templateID int64) error {
	if missing := missingName(csr, leaf); missing != nil {
		return permanent(v1alpha1.ReasonSANMissing, fmt.Sprintf(
			"the certificate issued by template %d lacks the %s SAN %s that the request asks for: %s on template %d, or remove the name from the request",
			templateID, missing.kind, missing.name, missing.fix, templateID), nil)
	}
	return nil
}

// missingSAN is a requested name the leaf lacks, with the template field
// that decides it.
type missingSAN struct {
	kind, name, fix string
}

// missingName returns the first requested SAN the leaf lacks, or nil.
func missingName(csr *x509.CertificateRequest, leaf *x509.Certificate) *missingSAN {
	for _, d := range csr.DNSNames {
		if !slices.ContainsFunc(leaf.DNSNames, func(l string) bool { return strings.EqualFold(l, d) }) {
			return &missingSAN{"DNS", fmt.Sprintf("%q", d), "set useCsrSans"}
		}
	}
	for _, ip := range csr.IPAddresses {
		if !slices.ContainsFunc(leaf.IPAddresses, ip.Equal) {
			return &missingSAN{"IP", ip.String(), "set allowIpSans"}
		}
	}
	for _, u := range csr.URIs {
		if !slices.ContainsFunc(leaf.URIs, func(l *url.URL) bool { return l.String() == u.String() }) {
			return &missingSAN{"URI", fmt.Sprintf("%q", u.String()), "add the URI (or a glob matching it) to urlSansWhitelist"}
		}
	}
	requested, err := otherSANsOf(csr)
	if err != nil || len(requested) == 0 {
		return nil // refused before issuance; nothing asked
	}
	issued := issuedOtherNames(leaf)
	for _, o := range requested {
		if !slices.ContainsFunc(issued, func(i wire.OidInfo) bool { return i.OID == o.OID && i.Value == o.Value }) {
			return &missingSAN{"otherName", fmt.Sprintf("%s=%q", o.OID, o.Value),
				fmt.Sprintf("add {oid: %s, type: %s, value: %q (or a glob)} to otherSansWhitelist", o.OID, o.Type, o.Value)}
		}
	}
	return nil
}

// issuedOtherNames returns the leaf's otherName SANs that hold strings;
// others are left out (they cannot match a request).
func issuedOtherNames(leaf *x509.Certificate) []wire.OidInfo {
	names, err := generalNames(leaf.Extensions)
	if err != nil {
		return nil
	}
	var out []wire.OidInfo
	for _, on := range names.OtherNames {
		if info, err := oidInfoOf(on); err == nil {
			out = append(out, info)
		}
	}
	return out
}
