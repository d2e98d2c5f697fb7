package ca

import "encoding/pem"

// CertPEM writes one DER certificate as a PEM "CERTIFICATE" block.
func CertPEM(der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// CRLPEM writes a DER CRL as a PEM "X509 CRL" block (RFC 7468 section 6).
func CRLPEM(der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}))
}
