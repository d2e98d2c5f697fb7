package signer

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"github.com/cert-manager/cert-manager/pkg/util/pki"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	cmapi "github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

// leafSANs is what a test leaf carries.
type leafSANs struct {
	dns   []string
	ips   []string
	uris  []string
	other []asn1.RawValue // otherName GeneralNames, written with the rest by hand
}

// leafPEM returns a self-signed PEM certificate for key with the SANs s.
func leafPEM(tb testing.TB, key crypto.Signer, s leafSANs) []byte {
	tb.Helper()
	tmpl := &x509.Certificate{SerialNumber: nextSerial(), Subject: pkix.Name{CommonName: "leaf"},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour)}
	if len(s.other) == 0 {
		tmpl.DNSNames = s.dns
		for _, ip := range s.ips {
			tmpl.IPAddresses = append(tmpl.IPAddresses, net.ParseIP(ip))
		}
		for _, u := range s.uris {
			parsed, _ := url.Parse(u)
			tmpl.URIs = append(tmpl.URIs, parsed)
		}
	} else {
		names := append([]asn1.RawValue{}, s.other...)
		for _, d := range s.dns {
			names = append(names, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 2, Bytes: []byte(d)})
		}
		value, err := asn1.Marshal(names)
		if err != nil {
			tb.Fatal(err)
		}
		tmpl.ExtraExtensions = []pkix.Extension{{Id: oidSubjectAltName, Value: value}}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		tb.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestCheckIssuedNames(t *testing.T) {
	key := ecKey(t)
	upn := otherNameOf(t, asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 20, 2, 3}, stringValue(t, asn1.TagUTF8String, []byte("alice@example.com")))
	otherUPN := otherNameOf(t, asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 20, 2, 3}, stringValue(t, asn1.TagUTF8String, []byte("mallory@example.com")))
	withUPN := certManagerCSR(t, key, cmapi.CertificateSpec{CommonName: "alice", DNSNames: []string{"a.example.com"},
		OtherNames: []cmapi.OtherName{{OID: oidUPN, UTF8Value: "alice@example.com"}}})
	full := newCSR(t, key, csrSpec{cn: "a.example.com", dns: []string{"a.example.com", "b.example.com"}, ips: []string{"10.0.0.1"}, uris: []string{"spiffe://td/ns/a"}})
	cases := []struct {
		name     string
		csr      []byte
		leaf     leafSANs
		wantText string // empty: no error
	}{
		{"all-present", full, leafSANs{dns: []string{"a.example.com", "b.example.com"}, ips: []string{"10.0.0.1"}, uris: []string{"spiffe://td/ns/a"}}, ""},
		{"extra-names-are-fine", full, leafSANs{dns: []string{"a.example.com", "b.example.com", "c.example.com"}, ips: []string{"10.0.0.1", "10.0.0.2"}, uris: []string{"spiffe://td/ns/a"}}, ""},
		{"dns-case-insensitive", full, leafSANs{dns: []string{"A.example.com", "B.EXAMPLE.com"}, ips: []string{"10.0.0.1"}, uris: []string{"spiffe://td/ns/a"}}, ""},
		{"dns-missing", full, leafSANs{dns: []string{"a.example.com"}, ips: []string{"10.0.0.1"}, uris: []string{"spiffe://td/ns/a"}}, `DNS SAN "b.example.com"`},
		{"ip-missing", full, leafSANs{dns: []string{"a.example.com", "b.example.com"}, uris: []string{"spiffe://td/ns/a"}}, "allowIpSans"},
		{"uri-missing", full, leafSANs{dns: []string{"a.example.com", "b.example.com"}, ips: []string{"10.0.0.1"}}, "urlSansWhitelist"},
		{"other-name-present", withUPN, leafSANs{dns: []string{"a.example.com"}, other: []asn1.RawValue{upn}}, ""},
		{"other-name-missing", withUPN, leafSANs{dns: []string{"a.example.com"}}, "otherSansWhitelist"},
		{"other-name-of-another-value", withUPN, leafSANs{dns: []string{"a.example.com"}, other: []asn1.RawValue{otherUPN}}, "alice@example.com"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			csr, _, err := parseCSR(tc.csr)
			if err != nil {
				t.Fatal(err)
			}
			leaf, err := pki.DecodeX509CertificateBytes(leafPEM(t, key, tc.leaf))
			if err != nil {
				t.Fatal(err)
			}
			err = checkIssuedNames(csr, leaf, 42)
			if tc.wantText == "" {
				if err != nil {
					t.Fatalf("checkIssuedNames = %v, want nil", err)
				}
				return
			}
			var p *PermanentError
			if !errors.As(err, &p) || p.Reason != v1alpha1.ReasonSANMissing || !strings.Contains(p.Message, tc.wantText) || !strings.Contains(p.Message, "template 42") {
				t.Fatalf("checkIssuedNames = %v; want %s naming %q and the template", err, v1alpha1.ReasonSANMissing, tc.wantText)
			}
		})
	}
}
