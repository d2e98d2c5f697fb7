package wire

// CRLInfo is the body of GET .../certs/{issuerCertId}/crl: the current CRL
// of an issuer certificate. The CRL files themselves (GET .../crl/der and
// .../crl/pem) are not JSON.
type CRLInfo struct {
	// CRLPem is the CRL (RFC 5280 section 5) as one PEM "X509 CRL" block.
	CRLPem string `json:"crlPem"`
	// ThisUpdate is the CRL's issue time.
	ThisUpdate DateTime `json:"thisUpdate"`
	// NextUpdate is when the next CRL is due: thisUpdate plus the store's
	// crlRefreshPeriod days.
	NextUpdate DateTime `json:"nextUpdate"`
}

// CRLContentType is the Content-Type of both CRL downloads.
const CRLContentType = "application/pkix-crl"
