package signer

import "errors"

// Reasons of a PermanentError: one per thing the user must change.
const (
	// ReasonInvalidCSR: spec.request is not one PEM CERTIFICATE REQUEST
	// whose signature verifies (RFC 2986).
	ReasonInvalidCSR = "InvalidCSR"
	// ReasonCANotSupported: spec.isCA is true; PCA templates issue leaf
	// certificates only.
	ReasonCANotSupported = "CANotSupported"
	// ReasonEmailSANNotSupported: the CSR asks for email SANs, which the
	// issuance request has no field for.
	ReasonEmailSANNotSupported = "EmailSANNotSupported"
	// ReasonNoNames: the CSR has neither a common name nor a SAN, so the
	// required commonName field cannot be filled.
	ReasonNoNames = "NoNames"
	// ReasonCommonNameTooLong: the commonName field is limited to 64
	// characters.
	ReasonCommonNameTooLong = "CommonNameTooLong"
	// ReasonInvalidDuration: spec.duration is negative or longer than the
	// ttlValue limit of 315,360,000 seconds.
	ReasonInvalidDuration = "InvalidDuration"
	// ReasonNoTemplateForKey: the CSR's key fits the keyInfo of none of
	// the issuer's templates (spec.templateId, spec.allowedTemplateIds).
	ReasonNoTemplateForKey = "NoTemplateForKey"
	// ReasonSANNotSupported: the CSR asks for a SAN kind the issuance
	// request has no field for (directoryName, x400Address, ediPartyName,
	// registeredID).
	ReasonSANNotSupported = "SANNotSupported"
	// ReasonOtherNameNotSupported: an otherName SAN cannot be sent as an
	// otherSans OidInfo: its value is not a UTF8String, IA5String,
	// PrintableString, BMPString or UniversalString, or is over 255
	// characters.
	ReasonOtherNameNotSupported = "OtherNameNotSupported"
	// ReasonSANMissing: the certificate the PCA issued lacks a DNS, IP,
	// URI or otherName SAN the CSR asks for; a template switch dropped it.
	ReasonSANMissing = "SANMissing"
	// ReasonRefused: the PCA answered HTTP 400, 409 or 422 to issuance: the
	// template refused the request.
	ReasonRefused = "Refused"
)

// PermanentError means the CertificateRequest can never succeed as it is:
// the controller marks it Failed and does not retry.
type PermanentError struct {
	// Reason is a CamelCase word naming the cause, one of the Reason
	// constants of this file.
	Reason string
	// Message says what is wrong and what the user must change.
	Message string
	// Err is the underlying error, if any.
	Err error
}

// Error returns Message, followed by the underlying error when there is one.
func (e *PermanentError) Error() string {
	if e.Err == nil {
		return e.Message
	}
	return e.Message + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *PermanentError) Unwrap() error { return e.Err }

// IsPermanent reports whether err's chain holds a *PermanentError.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// permanent builds a *PermanentError.
func permanent(reason, message string, err error) *PermanentError {
	return &PermanentError{Reason: reason, Message: message, Err: err}
}
