package emulator

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"unicode/utf16"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// subjectName builds an X.509 subject from subjectInfo and the extra
// attributes of otherFields (each an OID, an ASN.1 string type and a value).
func subjectName(info wire.SubjectInfo, extra []wire.OidInfo) (pkix.Name, error) {
	name := pkix.Name{
		CommonName:   info.CommonName,
		SerialNumber: info.SerialNumber,
	}
	add := func(dst *[]string, v string) {
		if v != "" {
			*dst = append(*dst, v)
		}
	}
	add(&name.Country, info.Country)
	add(&name.Province, info.StateOrProvince)
	add(&name.Locality, info.Locality)
	add(&name.StreetAddress, info.StreetAddress)
	add(&name.PostalCode, info.PostalCode)
	add(&name.Organization, info.Organization)
	add(&name.OrganizationalUnit, info.OrganizationalUnit)
	for _, o := range extra {
		oid, value, err := encodeOidInfo(o)
		if err != nil {
			return pkix.Name{}, err
		}
		name.ExtraNames = append(name.ExtraNames, pkix.AttributeTypeAndValue{Type: oid, Value: value})
	}
	return name, nil
}

// subjectInfoOf reads the subjectInfo back from a certificate's subject,
// the first value of each attribute.
func subjectInfoOf(n pkix.Name) wire.SubjectInfo {
	first := func(v []string) string {
		if len(v) == 0 {
			return ""
		}
		return v[0]
	}
	return wire.SubjectInfo{
		CommonName:         n.CommonName,
		SerialNumber:       n.SerialNumber,
		Country:            first(n.Country),
		StateOrProvince:    first(n.Province),
		Locality:           first(n.Locality),
		StreetAddress:      first(n.StreetAddress),
		PostalCode:         first(n.PostalCode),
		Organization:       first(n.Organization),
		OrganizationalUnit: first(n.OrganizationalUnit),
	}
}

// asn1StringTags are the OidInfo types and their universal tags (X.680).
var asn1StringTags = map[string]int{
	"UTF8String":      asn1.TagUTF8String,
	"IA5String":       asn1.TagIA5String,
	"PrintableString": asn1.TagPrintableString,
	"BMPString":       asn1.TagBMPString,
	"UniversalString": 28,
}

// encodeOidInfo parses the OID and encodes the value as the ASN.1 string
// type the OidInfo names. It refuses characters the type cannot hold.
func encodeOidInfo(o wire.OidInfo) (asn1.ObjectIdentifier, asn1.RawValue, error) {
	oid, err := parseOID(o.OID)
	if err != nil {
		return nil, asn1.RawValue{}, err
	}
	tag, ok := asn1StringTags[o.Type]
	if !ok {
		return nil, asn1.RawValue{}, fmt.Errorf("type %q is not one of UTF8String, IA5String, PrintableString, BMPString, UniversalString", o.Type)
	}
	var content []byte
	switch tag {
	case asn1.TagUTF8String:
		content = []byte(o.Value)
	case asn1.TagIA5String, asn1.TagPrintableString:
		for _, r := range o.Value {
			if r > 0x7f || (tag == asn1.TagPrintableString && !isPrintable(r)) {
				return nil, asn1.RawValue{}, fmt.Errorf("value %q does not fit %s", o.Value, o.Type)
			}
		}
		content = []byte(o.Value)
	case asn1.TagBMPString:
		for _, u := range utf16.Encode([]rune(o.Value)) {
			if utf16.IsSurrogate(rune(u)) {
				return nil, asn1.RawValue{}, fmt.Errorf("value %q does not fit BMPString", o.Value)
			}
			content = append(content, byte(u>>8), byte(u))
		}
	default: // UniversalString: UCS-4, big-endian
		for _, r := range o.Value {
			content = append(content, byte(r>>24), byte(r>>16), byte(r>>8), byte(r))
		}
	}
	return oid, asn1.RawValue{Class: asn1.ClassUniversal, Tag: tag, Bytes: content}, nil
}

// isPrintable reports whether r is in the PrintableString set (X.680 41.4).
func isPrintable(r rune) bool {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		return true
	}
	switch r {
	case ' ', '\'', '(', ')', '+', ',', '-', '.', '/', ':', '=', '?':
		return true
	}
	return false
}

// parseOID reads a dotted OID such as "1.2.840.113549.1.9.1" with
// x509.ParseOID and returns it in the form encoding/asn1 marshals. It fails
// on malformed OIDs and on arcs too large for an int.
func parseOID(s string) (asn1.ObjectIdentifier, error) {
	parsed, err := x509.ParseOID(s)
	if err != nil {
		return nil, fmt.Errorf("%q is not a dotted OID", s)
	}
	content, err := parsed.MarshalBinary()
	if err != nil {
		return nil, err
	}
	der, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagOID, Bytes: content})
	if err != nil {
		return nil, err
	}
	var oid asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(der, &oid); err != nil {
		return nil, fmt.Errorf("%q: %w", s, err)
	}
	return oid, nil
}
