package signer

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"reflect"
	"strings"
	"testing"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"
	"github.com/cert-manager/cert-manager/pkg/util/pki"

	"github.com/nhnpca/pca-issuer/internal/pca/wire"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

// oidUPN is Microsoft's User Principal Name otherName (1.3.6.1.4.1.311.20.2.3).
const oidUPN = "1.3.6.1.4.1.311.20.2.3"

// certManagerCSR returns the PEM CSR cert-manager's own code makes for a
// Certificate spec with an EC P-256 key (otherNames encoded, as with
// feature gate OtherNames).
func certManagerCSR(tb testing.TB, key crypto.Signer, spec cmapi.CertificateSpec) []byte {
	tb.Helper()
	spec.PrivateKey = &cmapi.CertificatePrivateKey{Algorithm: cmapi.ECDSAKeyAlgorithm, Size: 256}
	tmpl, err := pki.GenerateCSR(&cmapi.Certificate{Spec: spec}, pki.WithOtherNames(true))
	if err != nil {
		tb.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, key)
	if err != nil {
		tb.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

// rawSANCSR returns a PEM CSR whose subjectAltName extension holds the
// given GeneralNames as they are.
func rawSANCSR(tb testing.TB, key crypto.Signer, cn string, names ...asn1.RawValue) []byte {
	tb.Helper()
	value, err := asn1.Marshal(names)
	if err != nil {
		tb.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject:         pkix.Name{CommonName: cn},
		ExtraExtensions: []pkix.Extension{{Id: oidSubjectAltName, Value: value}},
	}, key)
	if err != nil {
		tb.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

// otherNameOf encodes an otherName GeneralName whose value is inner (a
// complete DER value).
func otherNameOf(tb testing.TB, oid asn1.ObjectIdentifier, inner []byte) asn1.RawValue {
	tb.Helper()
	oidDER, err := asn1.Marshal(oid)
	if err != nil {
		tb.Fatal(err)
	}
	explicit, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: inner})
	if err != nil {
		tb.Fatal(err)
	}
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: append(oidDER, explicit...)}
}

func stringValue(tb testing.TB, tag int, content []byte) []byte {
	tb.Helper()
	b, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: tag, Bytes: content})
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestBuildSignRequestSendsOtherNamesAsOtherSans(t *testing.T) {
	key := ecKey(t)
	csr := certManagerCSR(t, key, cmapi.CertificateSpec{
		CommonName: "alice",
		DNSNames:   []string{"alice.example.com"},
		OtherNames: []cmapi.OtherName{{OID: oidUPN, UTF8Value: "alice@example.com"}},
	})
	got, err := BuildSignRequest(csr, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	want := []wire.OidInfo{{OID: oidUPN, Type: OtherNameUTF8String, Value: "alice@example.com"}}
	if !reflect.DeepEqual(got.OtherSans, want) || !reflect.DeepEqual(got.Sans, []string{"alice.example.com"}) {
		t.Errorf("otherSans = %+v, sans = %v; want %+v and the DNS name", got.OtherSans, got.Sans, want)
	}
}

func TestOtherNameStringTypes(t *testing.T) {
	key := ecKey(t)
	oid := asn1.ObjectIdentifier{1, 2, 3, 4}
	cases := []struct {
		name      string
		value     []byte
		wantType  string
		wantValue string
	}{
		{"utf8", stringValue(t, asn1.TagUTF8String, []byte("héllo")), OtherNameUTF8String, "héllo"},
		{"ia5", stringValue(t, asn1.TagIA5String, []byte("user@example.com")), OtherNameIA5String, "user@example.com"},
		{"printable", stringValue(t, asn1.TagPrintableString, []byte("Host 1")), OtherNamePrintableString, "Host 1"},
		{"bmp", stringValue(t, asn1.TagBMPString, []byte{0, 'h', 0, 'i', 0xAC, 0x00}), OtherNameBMPString, "hi가"},
		{"universal", stringValue(t, tagUniversalString, []byte{0, 0, 0, 'o', 0, 0, 0, 'k'}), OtherNameUniversalString, "ok"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := BuildSignRequest(rawSANCSR(t, key, "svc", otherNameOf(t, oid, tc.value)), 0, false)
			if err != nil {
				t.Fatal(err)
			}
			want := []wire.OidInfo{{OID: "1.2.3.4", Type: tc.wantType, Value: tc.wantValue}}
			if !reflect.DeepEqual(got.OtherSans, want) {
				t.Errorf("otherSans = %+v, want %+v", got.OtherSans, want)
			}
		})
	}
}

func TestSANsTheRequestCannotCarryAreRefused(t *testing.T) {
	key := ecKey(t)
	oid := asn1.ObjectIdentifier{1, 2, 3, 4}
	seq, _ := asn1.Marshal(struct{ A, B int }{1, 2})
	registeredID, _ := asn1.Marshal(asn1.ObjectIdentifier{1, 2, 3})
	dirName, _ := asn1.Marshal(pkix.Name{CommonName: "x"}.ToRDNSequence())
	cases := []struct {
		name       string
		gn         asn1.RawValue
		wantReason string
		wantText   string
	}{
		{"other-name-holding-a-sequence", otherNameOf(t, oid, seq), v1alpha1.ReasonOtherNameNotSupported, "1.2.3.4"},
		{"other-name-over-255-characters", otherNameOf(t, oid, stringValue(t, asn1.TagUTF8String, []byte(strings.Repeat("a", 256)))), v1alpha1.ReasonOtherNameNotSupported, "256 characters"},
		{"registered-id", asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 8, Bytes: registeredID[2:]}, v1alpha1.ReasonSANNotSupported, "registeredID"},
		{"directory-name", asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 4, IsCompound: true, Bytes: dirName[2:]}, v1alpha1.ReasonSANNotSupported, "directoryName"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := BuildSignRequest(rawSANCSR(t, key, "svc", tc.gn), 0, false)
			var p *PermanentError
			if !errors.As(err, &p) || p.Reason != tc.wantReason || !strings.Contains(p.Message, tc.wantText) {
				t.Fatalf("err = %v; want %s naming %q", err, tc.wantReason, tc.wantText)
			}
		})
	}
}

func TestOtherNameOnlyHasNoCommonName(t *testing.T) {
	csr := certManagerCSR(t, ecKey(t), cmapi.CertificateSpec{OtherNames: []cmapi.OtherName{{OID: oidUPN, UTF8Value: "bob@example.com"}}})
	_, err := BuildSignRequest(csr, 0, false)
	var p *PermanentError
	if !errors.As(err, &p) || p.Reason != v1alpha1.ReasonNoNames || !strings.Contains(p.Message, "otherName") {
		t.Fatalf("err = %v; want %s saying an otherName cannot be the common name", err, v1alpha1.ReasonNoNames)
	}
}
