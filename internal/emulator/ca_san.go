package emulator

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"net"
	"net/url"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// sanSet is the subject alternative names of a certificate (RFC 5280
// 4.2.1.6).
type sanSet struct {
	DNS    []string
	Emails []string
	IPs    []net.IP
	URIs   []*url.URL
	// Other are otherName entries: an OID and a typed string value.
	Other []wire.OidInfo
}

// oidSubjectAltName is id-ce-subjectAltName (RFC 5280 4.2.1.6).
var oidSubjectAltName = asn1.ObjectIdentifier{2, 5, 29, 17}

// applySANs puts the names on a certificate template. crypto/x509 cannot
// write otherName entries, so when there are some the whole extension is
// encoded here and passed as an extra extension (which x509 then uses in
// place of its own).
func applySANs(tmpl *x509.Certificate, s sanSet) error {
	if len(s.Other) == 0 {
		tmpl.DNSNames, tmpl.EmailAddresses, tmpl.IPAddresses, tmpl.URIs = s.DNS, s.Emails, s.IPs, s.URIs
		return nil
	}
	var names []asn1.RawValue
	for _, o := range s.Other {
		raw, err := otherName(o)
		if err != nil {
			return err
		}
		names = append(names, raw)
	}
	names = appendGeneralNames(names, 1, s.Emails)
	names = appendGeneralNames(names, 2, s.DNS)
	for _, u := range s.URIs {
		names = appendGeneralNames(names, 6, []string{u.String()})
	}
	for _, ip := range s.IPs {
		b := ip.To4()
		if b == nil {
			b = ip.To16()
		}
		names = append(names, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 7, Bytes: b})
	}
	value, err := asn1.Marshal(names)
	if err != nil {
		return err
	}
	// RFC 5280 4.2.1.6: critical when the subject is empty.
	critical := tmpl.Subject.String() == ""
	tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, pkix.Extension{Id: oidSubjectAltName, Critical: critical, Value: value})
	return nil
}

// appendGeneralNames adds IA5String GeneralNames of one context tag
// (1 rfc822Name, 2 dNSName, 6 uniformResourceIdentifier).
func appendGeneralNames(names []asn1.RawValue, tag int, values []string) []asn1.RawValue {
	for _, v := range values {
		names = append(names, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: tag, Bytes: []byte(v)})
	}
	return names
}

// otherName encodes an OtherName GeneralName: [0] { type-id, [0] EXPLICIT
// value }.
func otherName(o wire.OidInfo) (asn1.RawValue, error) {
	oid, value, err := encodeOidInfo(o)
	if err != nil {
		return asn1.RawValue{}, err
	}
	oidDER, err := asn1.Marshal(oid)
	if err != nil {
		return asn1.RawValue{}, err
	}
	valueDER, err := asn1.Marshal(value)
	if err != nil {
		return asn1.RawValue{}, err
	}
	explicit, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: valueDER})
	if err != nil {
		return asn1.RawValue{}, err
	}
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: append(oidDER, explicit...)}, nil
}
