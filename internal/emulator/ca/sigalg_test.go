package ca

import (
	"crypto/x509"
	"testing"
)

func TestSignerAlgorithm(t *testing.T) {
	cases := []struct {
		name      string
		requested x509.SignatureAlgorithm
		signer    x509.PublicKeyAlgorithm
		want      x509.SignatureAlgorithm
	}{
		{"same-family-kept", x509.SHA384WithRSA, x509.RSA, x509.SHA384WithRSA},
		{"rsa-request-under-ec-parent", x509.SHA384WithRSA, x509.ECDSA, x509.ECDSAWithSHA384},
		{"ec-request-under-rsa-parent", x509.ECDSAWithSHA512, x509.RSA, x509.SHA512WithRSA},
		{"ed25519-request-under-ec-parent", x509.PureEd25519, x509.ECDSA, x509.ECDSAWithSHA256},
		{"ec-request-under-ed25519-parent", x509.ECDSAWithSHA256, x509.Ed25519, x509.PureEd25519},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := SignerAlgorithm(tc.requested, tc.signer); got != tc.want {
				t.Errorf("SignerAlgorithm = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestTemplateSignatureAlgorithm(t *testing.T) {
	tests := []struct {
		issuer string
		bits   int
		want   string
	}{
		{"RSA", 256, "SHA256_WITH_RSA"},
		{"RSA", 512, "SHA512_WITH_RSA"},
		{"EC", 384, "SHA384_WITH_ECDSA"},
		{"ED25519", 384, "ED25519"},
	}
	for _, tc := range tests {
		if got := TemplateSignatureAlgorithm(tc.issuer, tc.bits); got != tc.want {
			t.Errorf("TemplateSignatureAlgorithm(%s, %d) = %s, want %s", tc.issuer, tc.bits, got, tc.want)
		}
	}
}
