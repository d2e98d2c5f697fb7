package emulator

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
			if got := signerAlgorithm(tc.requested, tc.signer); got != tc.want {
				t.Errorf("signerAlgorithm = %s, want %s", got, tc.want)
			}
		})
	}
}
