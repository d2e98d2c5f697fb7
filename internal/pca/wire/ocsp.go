package wire

// OCSP requests and responses are DER (RFC 6960 section 4), not JSON: POST
// /ca-stores/{caStoreId}/ocsp carries the request as its body, GET
// /ca-stores/{caStoreId}/ocsp/{req} in its path as URL-safe base64 without
// "=" padding. These are their media types (RFC 6960 appendix C).
const (
	// OCSPRequestType is the Content-Type of a POSTed OCSP request.
	OCSPRequestType = "application/ocsp-request"
	// OCSPResponseType is the Content-Type of an OCSP response.
	OCSPResponseType = "application/ocsp-response"
)
