package signer

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/cert-manager/cert-manager/pkg/util/pki"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

// MaxOtherNameValueLength is the limit of an OidInfo value, in characters
// (docs/pca-api.md#request-limits, OidInfo).
const MaxOtherNameValueLength = 255

// OidInfo types of the issuance request's otherSans
// (docs/pca-api.md#request-limits).
const (
	OtherNameUTF8String      = "UTF8String"
	OtherNameIA5String       = "IA5String"
	OtherNamePrintableString = "PrintableString"
	OtherNameBMPString       = "BMPString"
	OtherNameUniversalString = "UniversalString"
)

// oidSubjectAltName is id-ce-subjectAltName (RFC 5280 4.2.1.6).
var oidSubjectAltName = asn1.ObjectIdentifier{2, 5, 29, 17}

// generalNames returns the SAN extension of extensions parsed by
// cert-manager's pki.UnmarshalSANs; empty when there is none.
func generalNames(extensions []pkix.Extension) (pki.GeneralNames, error) {
	for _, ext := range extensions {
		if ext.Id.Equal(oidSubjectAltName) {
			return pki.UnmarshalSANs(ext.Value)
		}
	}
	return pki.GeneralNames{}, nil
}

// otherSANsOf returns the CSR's otherName SANs as the issuance request's
// otherSans. cert-manager writes a Certificate's spec.otherNames as
// otherName SANs holding a UTF8String (feature gate OtherNames).
//
// It returns a *PermanentError when a SAN cannot be sent: a directoryName,
// x400Address, ediPartyName or registeredID SAN, for which the request has
// no field (v1alpha1.ReasonSANNotSupported); an otherName whose value is not one of
// the five string types of OidInfo or is longer than 255 characters
// (v1alpha1.ReasonOtherNameNotSupported).
func otherSANsOf(csr *x509.CertificateRequest) ([]wire.OidInfo, error) {
	names, err := generalNames(csr.Extensions)
	if err != nil {
		return nil, permanent(v1alpha1.ReasonInvalidCSR, "the subjectAltName extension of the CSR does not parse", err)
	}
	if unsupported := unsupportedSANKinds(names); len(unsupported) > 0 {
		return nil, permanent(v1alpha1.ReasonSANNotSupported, fmt.Sprintf(
			"the CSR asks for %v SANs, which the PCA issuance request has no field for: it carries DNS, IP, URI and otherName SANs only; remove them from the request",
			unsupported), nil)
	}
	var out []wire.OidInfo
	for _, on := range names.OtherNames {
		info, err := oidInfoOf(on)
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	return out, nil
}

// unsupportedSANKinds names the SAN kinds present in names that the
// issuance request cannot carry (email is refused on its own).
func unsupportedSANKinds(names pki.GeneralNames) []string {
	var kinds []string
	if len(names.DirectoryNames) > 0 {
		kinds = append(kinds, "directoryName")
	}
	if len(names.X400Addresses) > 0 {
		kinds = append(kinds, "x400Address")
	}
	if len(names.EDIPartyNames) > 0 {
		kinds = append(kinds, "ediPartyName")
	}
	if len(names.RegisteredIDs) > 0 {
		kinds = append(kinds, "registeredID")
	}
	return kinds
}

// oidInfoOf turns an otherName into an OidInfo: its type-id, the ASN.1
// string type of its value, and the value as text.
func oidInfoOf(on pki.OtherName) (wire.OidInfo, error) {
	oid := on.TypeID.String()
	var inner asn1.RawValue
	rest, err := asn1.Unmarshal(on.Value.Bytes, &inner)
	if err != nil || len(rest) > 0 {
		return wire.OidInfo{}, permanent(v1alpha1.ReasonOtherNameNotSupported, fmt.Sprintf(
			"the value of otherName %s is not one ASN.1 value; the PCA takes an otherName value as one string", oid), err)
	}
	typ, value, ok := decodeString(inner)
	if !ok {
		return wire.OidInfo{}, permanent(v1alpha1.ReasonOtherNameNotSupported, fmt.Sprintf(
			"otherName %s holds an ASN.1 value of class %d tag %d; the PCA's otherSans take UTF8String, IA5String, PrintableString, BMPString or UniversalString values only",
			oid, inner.Class, inner.Tag), nil)
	}
	if n := utf8.RuneCountInString(value); n > MaxOtherNameValueLength {
		return wire.OidInfo{}, permanent(v1alpha1.ReasonOtherNameNotSupported, fmt.Sprintf(
			"the value of otherName %s has %d characters; the PCA's otherSans take at most %d", oid, n, MaxOtherNameValueLength), nil)
	}
	return wire.OidInfo{OID: oid, Type: typ, Value: value}, nil
}

// decodeString reads a universal string value: its OidInfo type name and
// its text. ok is false for any other value or invalid contents.
func decodeString(v asn1.RawValue) (typ, value string, ok bool) {
	if v.Class != asn1.ClassUniversal || v.IsCompound {
		return "", "", false
	}
	switch v.Tag {
	case asn1.TagUTF8String, asn1.TagIA5String, asn1.TagPrintableString:
		uv, err := pki.UnmarshalUniversalValue(v)
		if err != nil {
			return "", "", false
		}
		switch v.Tag {
		case asn1.TagUTF8String:
			return OtherNameUTF8String, uv.UTF8String, true
		case asn1.TagIA5String:
			return OtherNameIA5String, uv.IA5String, true
		}
		return OtherNamePrintableString, uv.PrintableString, true
	case asn1.TagBMPString:
		s, ok := decodeBMP(v.Bytes)
		return OtherNameBMPString, s, ok
	case tagUniversalString:
		s, ok := decodeUCS4(v.Bytes)
		return OtherNameUniversalString, s, ok
	}
	return "", "", false
}

// tagUniversalString is the ASN.1 UniversalString tag (X.680), which
// encoding/asn1 does not name.
const tagUniversalString = 28

// decodeBMP decodes a BMPString: big-endian UCS-2 (X.690 8.23.8), read as
// UTF-16.
func decodeBMP(b []byte) (string, bool) {
	if len(b)%2 != 0 {
		return "", false
	}
	units := make([]uint16, len(b)/2)
	for i := range units {
		units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	return string(utf16.Decode(units)), true
}

// decodeUCS4 decodes a UniversalString: big-endian UCS-4 (X.690 8.23.7).
func decodeUCS4(b []byte) (string, bool) {
	if len(b)%4 != 0 {
		return "", false
	}
	runes := make([]rune, len(b)/4)
	for i := range runes {
		r := rune(b[4*i])<<24 | rune(b[4*i+1])<<16 | rune(b[4*i+2])<<8 | rune(b[4*i+3])
		if !utf8.ValidRune(r) {
			return "", false
		}
		runes[i] = r
	}
	return string(runes), true
}
