package emulator

import (
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// This file holds the rules of template issuance: what the certificate's
// subject, names and validity are, given a template, a request and (in SIGN
// mode) a CSR. The guide names the switches but not all their effects; the
// choices below follow Vault-style PKIs and are marked "Assumed".

// minRSABits is the smallest RSA key a CSR may carry. Assumed: the same floor
// as the seed's issuer keys.
const minRSABits = 2048

// parseCSR reads a PEM CSR and checks its self-signature. Errors are 400
// naming csr.
func parseCSR(text string) (*x509.CertificateRequest, *apiError) {
	if strings.TrimSpace(text) == "" {
		return nil, errValidation("csr", "required in SIGN mode")
	}
	block, _ := pem.Decode([]byte(text))
	if block == nil || (block.Type != "CERTIFICATE REQUEST" && block.Type != "NEW CERTIFICATE REQUEST") {
		return nil, errValidation("csr", "not a PEM CERTIFICATE REQUEST")
	}
	csr, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return nil, errValidation("csr", "%v", err)
	}
	if err := csr.CheckSignature(); err != nil {
		return nil, errValidation("csr", "signature does not verify: %v", err)
	}
	if k, ok := csr.PublicKey.(*rsa.PublicKey); ok && k.N.BitLen() < minRSABits {
		return nil, errValidation("csr", "RSA key of %d bits is below %d", k.N.BitLen(), minRSABits)
	}
	return csr, nil
}

// leafCommonName picks the CN. Assumed: the CSR's CN when useCsrCommonName
// and the CSR has one, else the request's commonName, which is then
// required; either way at most 64 characters (X.520 ub-common-name).
func leafCommonName(tmpl wire.TemplateRequest, req wire.IssueRequest, csr *x509.CertificateRequest) (string, *apiError) {
	if csr != nil && tmpl.UseCsrCommonName && csr.Subject.CommonName != "" {
		if err := checkLen("csr", csr.Subject.CommonName, maxNameLen); err != nil {
			return "", errValidation("csr", "Common Name longer than %d characters", maxNameLen)
		}
		return csr.Subject.CommonName, nil
	}
	return req.CommonName, checkRequired("commonName", req.CommonName, maxNameLen)
}

// leafSubject is the template's subjectInfo and otherFields with the CN and
// the request's serialNumber. Assumed: with useCsrOtherFields the CSR's
// subject attributes other than the CN replace the template's where the CSR
// sets them.
func leafSubject(tmpl wire.TemplateRequest, req wire.IssueRequest, csr *x509.CertificateRequest, cn string) (pkix.Name, *apiError) {
	info := tmpl.SubjectInfo
	if csr != nil && tmpl.UseCsrOtherFields {
		fromCSR := subjectInfoOf(csr.Subject)
		overlay(&info.SerialNumber, fromCSR.SerialNumber)
		overlay(&info.Country, fromCSR.Country)
		overlay(&info.StateOrProvince, fromCSR.StateOrProvince)
		overlay(&info.Locality, fromCSR.Locality)
		overlay(&info.StreetAddress, fromCSR.StreetAddress)
		overlay(&info.PostalCode, fromCSR.PostalCode)
		overlay(&info.Organization, fromCSR.Organization)
		overlay(&info.OrganizationalUnit, fromCSR.OrganizationalUnit)
	}
	if err := checkLen("serialNumber", req.SerialNumber, 64); err != nil {
		return pkix.Name{}, err
	}
	overlay(&info.SerialNumber, req.SerialNumber)
	info.CommonName = cn
	name, err := subjectName(info, tmpl.OtherFields)
	if err != nil {
		return pkix.Name{}, errValidation("otherFields", "%v", err)
	}
	return name, nil
}

// overlay sets *dst to v when v is not empty.
func overlay(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

// leafSANs picks the names and checks them against the template. Assumed:
//   - with useCsrSans (SIGN mode) the CSR's DNS, email, IP and URI SANs are
//     used and the request's sans/ipSans/urlSans are ignored; otherwise the
//     request's lists are used;
//   - the CN is added to the DNS SANs unless excludeCommonNameFromSans, and
//     only when it looks like a DNS name (withCommonName);
//   - any IP SAN is refused unless allowIpSans;
//   - each URL SAN must match a urlSansWhitelist glob; an empty whitelist
//     refuses all URL SANs;
//   - each otherSans entry must match an otherSansWhitelist entry (same OID
//     and type, value glob); an empty whitelist refuses them all. CSR
//     otherName SANs are not copied.
func leafSANs(tmpl wire.TemplateRequest, req wire.IssueRequest, csr *x509.CertificateRequest, cn string) (sanSet, *apiError) {
	var sans sanSet
	if csr != nil && tmpl.UseCsrSans {
		sans = sanSet{DNS: csr.DNSNames, Emails: csr.EmailAddresses, IPs: csr.IPAddresses, URIs: csr.URIs}
	} else {
		var err *apiError
		if sans, err = parseSANs(req.Sans, req.IPSans, req.URLSans); err != nil {
			return sanSet{}, err
		}
	}
	sans.DNS = withCommonName(sans.DNS, cn, req.ExcludeCommonNameFromSans)
	if len(sans.IPs) > 0 && !tmpl.AllowIPSans {
		return sanSet{}, errValidation("ipSans", "the template does not allow IP SANs (allowIpSans is false)")
	}
	for _, u := range sans.URIs {
		if !slices.ContainsFunc(tmpl.URLSansWhitelist, func(g string) bool { return globMatch(g, u.String()) }) {
			return sanSet{}, errValidation("urlSans", "%q is not allowed by the template's urlSansWhitelist", u.String())
		}
	}
	if err := checkOidInfos("otherSans", req.OtherSans); err != nil {
		return sanSet{}, err
	}
	for i, o := range req.OtherSans {
		if !slices.ContainsFunc(tmpl.OtherSansWhitelist, func(w wire.OidInfo) bool {
			return w.OID == o.OID && w.Type == o.Type && globMatch(w.Value, o.Value)
		}) {
			return sanSet{}, errValidation(fmt.Sprintf("otherSans[%d]", i), "not allowed by the template's otherSansWhitelist")
		}
	}
	sans.Other = req.OtherSans
	return sans, nil
}

// withCommonName adds cn to the DNS names unless exclude, cn is already
// there, or cn does not look like a DNS name (e.g. "My Service" or an IP).
func withCommonName(dns []string, cn string, exclude bool) []string {
	if exclude || !looksLikeDNSName(cn) || slices.Contains(dns, cn) {
		return dns
	}
	return append(slices.Clone(dns), cn)
}

// looksLikeDNSName reports a host name of letters, digits and hyphens in
// labels of 1..63 characters (RFC 1123 2.1), at most 253 in all, the first
// label possibly "*"; IP addresses are not DNS names.
func looksLikeDNSName(s string) bool {
	if s == "" || len(s) > 253 || net.ParseIP(s) != nil {
		return false
	}
	for i, label := range strings.Split(s, ".") {
		if i == 0 && label == "*" {
			continue
		}
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		if strings.IndexFunc(label, notLDH) >= 0 {
			return false
		}
	}
	return true
}

// notLDH reports a rune that is not a letter, digit or hyphen (RFC 1123).
func notLDH(r rune) bool {
	return r != '-' && (r < '0' || r > '9') && (r < 'a' || r > 'z') && (r < 'A' || r > 'Z')
}

// globMatch matches s against a pattern whose '*' stands for any run of
// characters, '/' included (as Vault's allowed_uri_sans do; path.Match would
// stop '*' at '/'). Other characters match themselves.
func globMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, middle := range parts[1 : len(parts)-1] {
		i := strings.Index(s, middle)
		if i < 0 {
			return false
		}
		s = s[i+len(middle):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

// leafValidity computes notBefore and notAfter. Assumed:
//   - with neither ttlValue nor specificDate, the template's cap is used
//     (now + maxTTL, or maxSpecificDate);
//   - ttlValue (or specificDate - now) above maxTTL, or a notAfter past
//     maxSpecificDate, is refused with 400 naming the request field;
//   - a notAfter past the issuer's notAfter is refused (not trimmed);
//   - notBefore is now - backDateValidation of the template.
func leafValidity(tmpl wire.TemplateRequest, req wire.IssueRequest, now time.Time, issuerNotAfter time.Time) (time.Time, time.Time, *apiError) {
	notBefore := now.Add(-secondsDuration(*tmpl.BackDateValidation))
	expiry, given, err := notAfter(now, req.TTLValue, req.SpecificDate)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	field := expiryField(req.SpecificDate)
	var maxDate time.Time
	if tmpl.MaxSpecificDate != "" {
		maxDate, _ = wire.ParseDateTime(tmpl.MaxSpecificDate) // checked at template creation
	}
	switch {
	case !given && tmpl.MaxTTL != nil:
		expiry = now.Add(secondsDuration(*tmpl.MaxTTL))
	case !given && !certTime(maxDate).After(now):
		return time.Time{}, time.Time{}, errValidation("maxSpecificDate", "the template's maxSpecificDate %s has passed: the template issues no more certificates", tmpl.MaxSpecificDate)
	case !given:
		expiry = maxDate
	case tmpl.MaxTTL != nil && expiry.Sub(now) > secondsDuration(*tmpl.MaxTTL):
		return time.Time{}, time.Time{}, errValidation(field, "%d seconds is above the template's maxTTL of %d seconds", int64(expiry.Sub(now)/time.Second), *tmpl.MaxTTL)
	case !maxDate.IsZero() && expiry.After(maxDate):
		return time.Time{}, time.Time{}, errValidation(field, "notAfter is past the template's maxSpecificDate %s", tmpl.MaxSpecificDate)
	}
	if certTime(expiry).After(issuerNotAfter) {
		return time.Time{}, time.Time{}, errValidation(field, "notAfter %s would pass the issuer certificate's notAfter %s",
			wire.NewDateTime(expiry).Format(wire.DateTimeLayout), wire.NewDateTime(issuerNotAfter).Format(wire.DateTimeLayout))
	}
	return notBefore, expiry, nil
}

// secondsDuration turns a number of seconds into a duration.
func secondsDuration(s int64) time.Duration { return time.Duration(s) * time.Second }

// leafUsages are the template's key usage, extended key usages (named and by
// OID) and policies, all checked at template creation.
func leafUsages(tmpl wire.TemplateRequest) (x509.KeyUsage, []x509.ExtKeyUsage, []asn1.ObjectIdentifier, []x509.OID) {
	var oids []asn1.ObjectIdentifier
	for _, s := range tmpl.ExtendedKeyUsageOids {
		if oid, err := parseOID(s); err == nil {
			oids = append(oids, oid)
		}
	}
	var policies []x509.OID
	for _, s := range tmpl.Policies {
		if oid, err := x509.ParseOID(s); err == nil {
			policies = append(policies, oid)
		}
	}
	return keyUsageBits(tmpl.KeyUsage), extKeyUsageList(tmpl.ExtendedKeyUsage), oids, policies
}

// checkCSRKey holds a SIGN-mode CSR's key to the template's keyInfo.
// Assumed (as Vault's key_type and key_bits): the key must be of the
// template's algorithm; an RSA key must have at least keySize bits, an EC
// key must be on the keySize curve; ED25519 has one size.
func checkCSRKey(want wire.KeyInfo, pub any) *apiError {
	alg, bits := describeKey(pub)
	switch {
	case alg == "":
		return errValidation("csr", "unsupported public key type %T", pub)
	case alg != want.Algorithm:
		return errValidation("csr", "the CSR's key is %s, the template's keyInfo.algorithm is %s", alg, want.Algorithm)
	case alg == wire.KeyAlgorithmRSA && bits < want.KeySize:
		return errValidation("csr", "the CSR's RSA key has %d bits, below the template's keyInfo.keySize %d", bits, want.KeySize)
	case alg == wire.KeyAlgorithmEC && bits != want.KeySize:
		return errValidation("csr", "the CSR's EC key is on a %d-bit curve, the template's keyInfo.keySize is %d", bits, want.KeySize)
	}
	return nil
}
