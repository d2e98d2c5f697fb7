package v1alpha1

// Reasons of requests (cert-manager CertificateRequests and Kubernetes
// CertificateSigningRequests) that pca-issuer fails. Each names one thing
// the user must change; it starts the Failed condition's message ("InvalidCSR:
// ...") and is the reason of the Warning event recorded on the request.
// docs/troubleshooting.md documents every one (a test holds it to this
// list). The issuer faults met while signing use the issuer reasons of
// conditions.go (ReasonCredentialsRejected, ReasonTemplateNotFound).
const (
	// ReasonInvalidCSR: the request's CSR is not one PEM CERTIFICATE
	// REQUEST whose signature verifies (RFC 2986).
	ReasonInvalidCSR = "InvalidCSR"
	// ReasonCANotSupported: the request asks for a CA certificate
	// (CertificateRequest spec.isCA, or the CertificateSigningRequest
	// annotation experimental.cert-manager.io/request-is-ca "true"); PCA
	// templates issue leaf certificates only.
	ReasonCANotSupported = "CANotSupported"
	// ReasonEmailSANNotSupported: the CSR asks for email SANs, which the
	// PCA issuance request has no field for.
	ReasonEmailSANNotSupported = "EmailSANNotSupported"
	// ReasonNoNames: the CSR has neither a common name nor a SAN, so the
	// PCA's required commonName field cannot be filled.
	ReasonNoNames = "NoNames"
	// ReasonCommonNameTooLong: the PCA's commonName field is limited to 64
	// characters (RFC 5280's ub-common-name).
	ReasonCommonNameTooLong = "CommonNameTooLong"
	// ReasonInvalidDuration: the requested duration does not parse, is
	// negative, or is longer than the PCA's ttlValue limit of 315,360,000
	// seconds.
	ReasonInvalidDuration = "InvalidDuration"
	// ReasonDurationTooShort: the requested duration is below the manager's
	// minimum (flag --minimum-duration, default 10 minutes, the Kubernetes
	// CertificateSigningRequest API's floor for spec.expirationSeconds).
	ReasonDurationTooShort = "DurationTooShort"
	// ReasonRefused: the PCA answered HTTP 400, 409 or 422 to issuance:
	// the template refused the request.
	ReasonRefused = "Refused"
	// ReasonTemplateNotAllowed: the request's template-id annotation is
	// not a template id, names a template the issuer does not allow
	// (spec.allowedTemplateIds), or names one that does not exist.
	ReasonTemplateNotAllowed = "TemplateNotAllowed"
	// ReasonRetryWindowPassed: signing kept failing with retryable errors
	// (or issuer faults) past --max-retry-duration after the request was
	// created.
	ReasonRetryWindowPassed = "RetryWindowPassed"
	// ReasonSignerNotReferenceable: the requester of a Kubernetes
	// CertificateSigningRequest may not reference the namespaced signer
	// (verb reference on resource signers of this group).
	ReasonSignerNotReferenceable = "SignerNotReferenceable"
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
)

// Reasons of Warning events (not failures): limits of the PCA model that
// change the certificate without failing the request.
const (
	// ReasonTemplateFit: the requested duration was shortened to the
	// template's maxTTL.
	ReasonTemplateFit = "TemplateFit"
	// ReasonUsagesFixedByTemplate: the request asks for key usages or
	// extended key usages the template does not set; the template's
	// keyUsage and extendedKeyUsage decide.
	ReasonUsagesFixedByTemplate = "UsagesFixedByTemplate"
	// ReasonSubjectNotLiteral: the CSR's subject has attributes besides the
	// common name that the certificate will not carry as asked; the PCA
	// builds the subject from the template's subjectInfo and the common
	// name (and, with useCsrOtherFields, the CSR's subjectInfo fields).
	ReasonSubjectNotLiteral = "SubjectNotLiteral"
)

// Reasons of revocation checks (docs/revocation.md, "Revocation checks").
const (
	// ReasonCertificateRevoked: the certificate in a Certificate's Secret
	// (or a Kubernetes CSR's status.certificate) was revoked in the PCA,
	// outside the cluster. It is the reason of the Warning event on the
	// Certificate or CSR, and of the Issuing condition set on the
	// Certificate to renew it.
	ReasonCertificateRevoked = "CertificateRevoked"
	// ReasonRevocationUnchecked: the issuer's store publishes neither a CRL
	// nor OCSP for the CA that issued a certificate, so its revocation
	// cannot be noticed (a Warning event on the issuer, once).
	ReasonRevocationUnchecked = "RevocationUnchecked"
	// ReasonRevocationCheckFailed: the PCA's CRL or OCSP answer could not
	// be had or did not verify against the issuing CA (bad signature, wrong
	// issuer, past its nextUpdate, too large); a Warning event on the
	// issuer, at most once per check interval.
	ReasonRevocationCheckFailed = "RevocationCheckFailed"
)

// Reasons of the events of an issuer's trust bundle (spec.trustBundle,
// docs/trust-bundle.md).
const (
	// ReasonTrustBundleUpdated (Normal): the published bundle changed; the
	// message names the CA certificates added and removed, by subject and
	// notAfter.
	ReasonTrustBundleUpdated = "TrustBundleUpdated"
	// ReasonTrustBundleConflict (Warning): the ConfigMap or
	// ClusterTrustBundle the bundle goes to exists and is not this
	// issuer's (no owner reference to it, or not labelled for it); it is
	// left alone.
	ReasonTrustBundleConflict = "TrustBundleConflict"
	// ReasonTrustBundleFailed (Warning): the bundle could not be written
	// (the ClusterTrustBundle's name would be longer than 253 characters,
	// the bundle would hold more than 64 certificates, or the API server
	// refused the write); retried.
	ReasonTrustBundleFailed = "TrustBundleFailed"
)

// Reasons of the events pca-issuer records on Certificates (and, when the
// Certificate is gone, on CertificateRequests) when it revokes a
// certificate from the cluster: the nhnpca.issuer.dev/revoke annotation and
// spec.revocation.revokeSuperseded (docs/revocation.md).
const (
	// ReasonRevokeDone (Normal): a certificate pca-issuer issued was
	// revoked through the PCA, or found revoked there already; the event
	// names its serial, its PCA certificate id, the RFC 5280 reason and the
	// time. The PCA's revoke call takes no reason: the event is its only
	// record.
	ReasonRevokeDone = "RevokeDone"
	// ReasonRevokeRefused (Warning): pca-issuer will not revoke the
	// certificate: the reason is not one it revokes with, the Secret holds
	// no certificate, no CertificateRequest of the Certificate records the
	// certificate (pca-issuer did not issue it), the PCA's certificate of
	// that id has another serial, or the issuer is gone. The revoke
	// annotation is removed; nothing is retried.
	ReasonRevokeRefused = "RevokeRefused"
	// ReasonRevokeFailed (Warning): a PCA call or a Kubernetes read or
	// write of the revocation failed; it is retried with backoff.
	ReasonRevokeFailed = "RevokeFailed"
	// ReasonRevokeSkipped (Normal): a superseded certificate is not
	// revoked: its issuer no longer has spec.revocation.revokeSuperseded,
	// or is gone.
	ReasonRevokeSkipped = "RevokeSkipped"
)
