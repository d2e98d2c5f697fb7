package signer

import (
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	"github.com/cert-manager/cert-manager/pkg/util/pki"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// Limits of the issuance request (docs/pca-api.md#issuance-in-sign-mode).
const (
	// MaxCommonNameLength is the limit of the commonName field, in characters.
	MaxCommonNameLength = 64
	// MaxTTLSeconds is the limit of the ttlValue field: 315,360,000 seconds
	// (ten years of 365 days).
	MaxTTLSeconds = 315_360_000
)

// BuildSignRequest builds the SIGN-mode body of POST
// /templates/{templateId}/certificates from a CertificateRequest.
//
// csrPEM is spec.request: one PEM "CERTIFICATE REQUEST" block; it is sent
// re-encoded as that one block alone. duration is spec.duration; zero means
// cert-manager's default (cmapi.DefaultCertificateDuration, 90 days). It is
// sent as ttlValue in whole seconds, rounded up so the certificate is never
// shorter than asked, and so at least 1. isCA is spec.isCA.
//
// commonName is the CSR's subject CN or, when that is empty, its first DNS
// name, else its first IP address, else its first URI. sans, ipSans and
// urlSans are the CSR's DNS names, IP addresses and URIs; otherSans are its
// otherName SANs (the template's otherSansWhitelist decides on the PCA
// side).
// excludeCommonNameFromSans is set when the common name is not among the
// DNS names, so that the certificate carries exactly the names asked for.
// The root stays in the chain (removeRootsFromChain false) so that
// ChainFromResponse can fill status.ca; the format is PEM.
//
// It returns a *PermanentError when the request can never be issued: csrPEM
// is not exactly one certificate request, does not parse or its signature
// does not verify (v1alpha1.ReasonInvalidCSR); isCA is true (v1alpha1.ReasonCANotSupported);
// the CSR has email SANs (v1alpha1.ReasonEmailSANNotSupported); it has neither a CN
// nor a SAN (v1alpha1.ReasonNoNames); the common name is over 64 characters
// (v1alpha1.ReasonCommonNameTooLong); duration is negative or over 315,360,000 s
// (v1alpha1.ReasonInvalidDuration); it has a SAN the request cannot carry
// (v1alpha1.ReasonSANNotSupported, v1alpha1.ReasonOtherNameNotSupported, see otherSANsOf).
func BuildSignRequest(csrPEM []byte, duration time.Duration, isCA bool) (wire.IssueRequest, error) {
	csr, normalised, err := parseCSR(csrPEM)
	if err != nil {
		return wire.IssueRequest{}, err
	}
	if isCA {
		return wire.IssueRequest{}, permanent(v1alpha1.ReasonCANotSupported,
			"PCA templates issue leaf certificates only: set spec.isCA to false, or use another issuer for CA certificates", nil)
	}
	if len(csr.EmailAddresses) > 0 {
		return wire.IssueRequest{}, permanent(v1alpha1.ReasonEmailSANNotSupported, fmt.Sprintf(
			"the PCA issuance request cannot carry email SANs: remove emailAddresses %q from the Certificate", csr.EmailAddresses), nil)
	}
	otherSans, err := otherSANsOf(csr)
	if err != nil {
		return wire.IssueRequest{}, err
	}
	ipSans := pki.IPAddressesToString(csr.IPAddresses)
	urlSans := pki.URLsToString(csr.URIs)
	commonName, err := chooseCommonName(csr.Subject.CommonName, csr.DNSNames, ipSans, urlSans)
	if err != nil {
		return wire.IssueRequest{}, err
	}
	ttl, err := ttlSeconds(duration)
	if err != nil {
		return wire.IssueRequest{}, err
	}
	return wire.IssueRequest{
		Mode:                      wire.ModeSign,
		CommonName:                commonName,
		TTLValue:                  ttl,
		Csr:                       string(normalised),
		Format:                    wire.FormatPEM,
		RemoveRootsFromChain:      false,
		ExcludeCommonNameFromSans: !slices.Contains(csr.DNSNames, commonName),
		Sans:                      csr.DNSNames,
		IPSans:                    ipSans,
		URLSans:                   urlSans,
		OtherSans:                 otherSans,
	}, nil
}

// chooseCommonName returns the commonName field: the CSR's CN, else its
// first DNS name, IP address or URI, in that order. The field is required
// and limited to 64 characters (docs/pca-api.md#issuance-in-sign-mode).
func chooseCommonName(cn string, dnsNames, ips, uris []string) (string, error) {
	for _, names := range [][]string{{cn}, dnsNames, ips, uris} {
		if len(names) == 0 || names[0] == "" {
			continue
		}
		if n := utf8.RuneCountInString(names[0]); n > MaxCommonNameLength {
			return "", permanent(v1alpha1.ReasonCommonNameTooLong, fmt.Sprintf(
				"the common name %q has %d characters, the PCA allows %d: set spec.commonName in the Certificate to at most that many",
				names[0], n, MaxCommonNameLength), nil)
		}
		return names[0], nil
	}
	return "", permanent(v1alpha1.ReasonNoNames,
		"the PCA requires a common name, and the certificate request has no common name and no SAN to take one from (a DNS name, IP address or URI; an otherName cannot be one): set spec.commonName, spec.dnsNames, spec.ipAddresses or spec.uris in the Certificate", nil)
}

// ttlSeconds turns spec.duration into ttlValue: zero means cert-manager's
// default; a fraction of a second rounds up. The result is 1..MaxTTLSeconds.
func ttlSeconds(d time.Duration) (int64, error) {
	if d == 0 {
		d = cmapi.DefaultCertificateDuration
	}
	if d < 0 {
		return 0, permanent(v1alpha1.ReasonInvalidDuration, fmt.Sprintf("spec.duration %s is negative: set a positive duration", d), nil)
	}
	secs := int64(d / time.Second)
	if d%time.Second != 0 {
		secs++
	}
	if secs > MaxTTLSeconds {
		return 0, permanent(v1alpha1.ReasonInvalidDuration, fmt.Sprintf(
			"spec.duration %s is over the PCA's limit of %d seconds (10 years): set a shorter duration", d, MaxTTLSeconds), nil)
	}
	return secs, nil
}
