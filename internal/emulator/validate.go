package emulator

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// This file checks request fields against the seed's limits. Every failure
// is a 400 whose message starts with the field's wire name.

// Seed limits on free-text fields, in characters.
const (
	maxNameLen        = 64
	maxDescriptionLen = 256
	maxOidValueLen    = 255
)

// earliestDate and latestDate bound specificDate and maxSpecificDate (seed).
var (
	earliestDate = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	latestDate   = time.Date(2999, 12, 31, 23, 59, 59, 0, time.UTC)
)

// checkLen refuses a value longer than max characters.
func checkLen(field, v string, max int) *apiError {
	if n := utf8.RuneCountInString(v); n > max {
		return errValidation(field, "at most %d characters, got %d", max, n)
	}
	return nil
}

// checkRequired refuses an empty value and one longer than max.
func checkRequired(field, v string, max int) *apiError {
	if v == "" {
		return errValidation(field, "required")
	}
	return checkLen(field, v, max)
}

// checkNameDescription checks the name (required, <= 64) and description
// (<= 256) of stores, certificates and templates.
func checkNameDescription(name, description string) *apiError {
	if err := checkRequired("name", name, maxNameLen); err != nil {
		return err
	}
	return checkLen("description", description, maxDescriptionLen)
}

// checkSubjectInfo applies the seed's subjectInfo lengths.
func checkSubjectInfo(s wire.SubjectInfo) *apiError {
	fields := []struct {
		name  string
		value string
		max   int
	}{
		{"subjectInfo.commonName", s.CommonName, 64},
		{"subjectInfo.serialNumber", s.SerialNumber, 64},
		{"subjectInfo.stateOrProvince", s.StateOrProvince, 128},
		{"subjectInfo.locality", s.Locality, 128},
		{"subjectInfo.streetAddress", s.StreetAddress, 128},
		{"subjectInfo.postalCode", s.PostalCode, 40},
		{"subjectInfo.organization", s.Organization, 64},
		{"subjectInfo.organizationalUnit", s.OrganizationalUnit, 64},
	}
	for _, f := range fields {
		if err := checkLen(f.name, f.value, f.max); err != nil {
			return err
		}
	}
	if s.Country != "" && utf8.RuneCountInString(s.Country) != 2 {
		return errValidation("subjectInfo.country", "a two-letter ISO 3166 code, got %q", s.Country)
	}
	return nil
}

// checkKeyInfo checks keyInfo against the seed's table and returns it
// normalized: ECDSA becomes EC, ED25519's size becomes 256.
func checkKeyInfo(k wire.KeyInfo) (wire.KeyInfo, *apiError) {
	switch k.Algorithm {
	case wire.KeyAlgorithmRSA:
		if !slices.Contains([]int{2048, 3072, 4096}, k.KeySize) {
			return k, errValidation("keyInfo.keySize", "RSA keys are 2048, 3072 or 4096 bits, got %d", k.KeySize)
		}
	case wire.KeyAlgorithmEC, wire.KeyAlgorithmECDSA:
		if _, ok := curves[k.KeySize]; !ok {
			return k, errValidation("keyInfo.keySize", "EC keys are 224, 256, 384 or 521 bits, got %d", k.KeySize)
		}
		k.Algorithm = wire.KeyAlgorithmEC
	case wire.KeyAlgorithmEd25519:
		k.KeySize = 256
	case "":
		return k, errValidation("keyInfo.algorithm", "required")
	default:
		return k, errValidation("keyInfo.algorithm", "one of RSA, EC, ECDSA, ED25519, got %q", k.Algorithm)
	}
	return k, nil
}

// checkSignatureAlgorithm refuses an unknown signatureAlgorithm and one
// that does not fit the key (seed's SignatureAlgorithm table).
func checkSignatureAlgorithm(sig, keyAlgorithm string) *apiError {
	s, ok := signatureAlgorithms[sig]
	switch {
	case sig == "":
		return errValidation("signatureAlgorithm", "required")
	case !ok:
		return errValidation("signatureAlgorithm", "unknown value %q", sig)
	case s.keyAlgorithm != keyAlgorithm:
		return errValidation("signatureAlgorithm", "%s does not fit a %s key", sig, keyAlgorithm)
	}
	return nil
}

// checkSeconds refuses a number of seconds outside 0..max.
func checkSeconds(field string, v int64, max int64) *apiError {
	if v < 0 || v > max {
		return errValidation(field, "between 0 and %d seconds, got %d", max, v)
	}
	return nil
}

// backDate returns backDateValidation as a duration: 30 s when unset,
// 0..2,592,000 s otherwise.
func backDate(v *int64) (time.Duration, *apiError) {
	if v == nil {
		return defaultBackDate, nil
	}
	if err := checkSeconds("backDateValidation", *v, maxBackDateSeconds); err != nil {
		return 0, err
	}
	return time.Duration(*v) * time.Second, nil
}

// parseDate reads a specificDate-like field and checks the seed's range.
func parseDate(field, v string) (time.Time, *apiError) {
	t, err := wire.ParseDateTime(v)
	if err != nil {
		return time.Time{}, errValidation(field, "%v", err)
	}
	if t.Before(earliestDate) || t.After(latestDate) {
		return time.Time{}, errValidation(field, "between 1970-01-01T00:00:00 and 2999-12-31T23:59:59, got %q", v)
	}
	return t, nil
}

// notAfter computes the expiry from ttlValue (seconds) or specificDate;
// exactly one may be set. With neither, it answers found=false.
func notAfter(now time.Time, ttlValue int64, specificDate string) (time.Time, bool, *apiError) {
	switch {
	case ttlValue != 0 && specificDate != "":
		return time.Time{}, false, errValidation("ttlValue", "give either ttlValue or specificDate, not both")
	case specificDate != "":
		t, err := parseDate("specificDate", specificDate)
		if err != nil {
			return time.Time{}, false, err
		}
		if !certTime(t).After(now) {
			return time.Time{}, false, errValidation("specificDate", "%s is not in the future", specificDate)
		}
		return t, true, nil
	case ttlValue != 0:
		if err := checkSeconds("ttlValue", ttlValue, maxTTLSeconds); err != nil {
			return time.Time{}, false, err
		}
		return now.Add(time.Duration(ttlValue) * time.Second), true, nil
	}
	return time.Time{}, false, nil
}

// certTime is t as a certificate holds it and x509 reads it back: in UTC,
// cut to whole seconds (RFC 5280 4.1.2.5). Validity checks compare what the
// certificate will say: a notAfter a fraction of a second past its
// issuer's is the same second.
func certTime(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }

// checkOidInfos checks a list of OidInfo (otherSans, otherFields,
// otherSansWhitelist): OID, type and a value of at most 255 characters.
func checkOidInfos(field string, list []wire.OidInfo) *apiError {
	for i, o := range list {
		f := fmt.Sprintf("%s[%d]", field, i)
		if err := checkLen(f+".value", o.Value, maxOidValueLen); err != nil {
			return err
		}
		if _, _, err := encodeOidInfo(o); err != nil {
			return errValidation(f, "%v", err)
		}
	}
	return nil
}

// checkOIDs checks a list of dotted OIDs (policies, extendedKeyUsageOids).
func checkOIDs(field string, list []string) *apiError {
	for i, s := range list {
		if _, err := parseOID(s); err != nil {
			return errValidation(fmt.Sprintf("%s[%d]", field, i), "%v", err)
		}
	}
	return nil
}

// checkPolicies checks a template's policies: OIDs, none listed twice,
// as a policy "MUST NOT appear more than once" in a certificate (RFC 5280
// 4.2.1.4), and Go's parser refuses a certificate where one does.
func checkPolicies(list []string) *apiError {
	if err := checkOIDs("policies", list); err != nil {
		return err
	}
	seen := make(map[string]int, len(list))
	for i, s := range list {
		oid, _ := parseOID(s) // checked above
		if j, dup := seen[oid.String()]; dup {
			return errValidation(fmt.Sprintf("policies[%d]", i), "%s is policies[%d] again; a policy may appear once (RFC 5280 4.2.1.4)", s, j)
		}
		seen[oid.String()] = i
	}
	return nil
}

// checkEnum refuses values not in a table.
func checkEnum[T any](field string, values []string, table map[string]T) *apiError {
	for i, v := range values {
		if _, ok := table[v]; !ok {
			return errValidation(fmt.Sprintf("%s[%d]", field, i), "unknown value %q", v)
		}
	}
	return nil
}

// parseSANs reads the request's DNS, IP and URL SAN lists.
func parseSANs(dns, ips, urls []string) (sanSet, *apiError) {
	s := sanSet{DNS: dns}
	for i, v := range dns {
		if v == "" {
			return sanSet{}, errValidation(fmt.Sprintf("sans[%d]", i), "empty")
		}
	}
	for i, v := range ips {
		ip := net.ParseIP(v)
		if ip == nil {
			return sanSet{}, errValidation(fmt.Sprintf("ipSans[%d]", i), "%q is not an IP address", v)
		}
		s.IPs = append(s.IPs, ip)
	}
	for i, v := range urls {
		u, err := url.Parse(v)
		if err != nil || u.Scheme == "" {
			return sanSet{}, errValidation(fmt.Sprintf("urlSans[%d]", i), "%q is not an absolute URL", v)
		}
		s.URIs = append(s.URIs, u)
	}
	return s, nil
}
