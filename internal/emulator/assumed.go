package emulator

import "time"

// This file gathers the choices the provider's guide leaves open, so that
// they are easy to find and change. Each is marked "Assumed".

const (
	// Assumed: the project id shown as toastProjectId of every store.
	toastProjectID = "local-project"

	// Assumed: pages hold 10 items unless size says otherwise, and size may
	// not exceed maxPageSize.
	defaultPageSize = 10
	maxPageSize     = 1000

	// defaultBackDate is the seed's default of backDateValidation.
	defaultBackDate = 30 * time.Second

	// maxTTLSeconds is the seed's upper bound of ttlValue and maxTTL (ten
	// years of 365 days).
	maxTTLSeconds = 315_360_000

	// maxBackDateSeconds is the seed's upper bound of backDateValidation.
	maxBackDateSeconds = 2_592_000

	// maxRequestBody caps a JSON request body.
	maxRequestBody = 1 << 20
)

// Result codes of failed calls. Assumed: the guide shows only 0 for success;
// failures use the HTTP status times 100 so that a code names its kind.
const (
	codeValidation   = 40000
	codeUnauthorized = 40100
	codeForbidden    = 40300
	codeNotFound     = 40400
	codeNotAllowed   = 40500
	codeConflict     = 40900
	codeInternal     = 50000
)

// Assumed rules of the API. Those that need code of their own live next to
// it, named here so that this list is the one place to look:
//
//   - Leaf issuance (CN, SANs, IP/URL/other SAN switches, TTL caps,
//     notBefore, CSR key floor): leafpolicy.go.
//   - ROOT and INTERMEDIATE certificates carry key usage KEY_CERT_SIGN and
//     CRL_SIGN and no extended key usage (caKeyUsage, ca_usage.go).
//   - A template signs leaves with its issuer key's family at signatureBits
//     (templateSignatureAlgorithm, ca_sigalg.go).
//   - GENERATE mode's privateKey encodings per privateKeyFormat
//     (encodePrivateKey, ca_keys.go) and certificatePem per format
//     (applyFormat, service_issue.go); removeRootsFromChain is honoured in
//     SIGN mode only, as the seed says.
//   - A leaf of a storeInServer=false template answers certificateId 0 and
//     is neither listed, counted nor readable (signLeaf, service_issue.go).
//   - Failed calls use resultCode = HTTP status x 100 (codes above).
//   - An unknown appkey in the path answers 401, like a bad token
//     (authority.authorize in auth.go).
//   - VIEWER may call GET only; ADMIN may call everything; any other role
//     string may call nothing (roleAllows in auth.go).
//   - Ids in a request body that name nothing (parentCertId) answer 400
//     naming the field; unknown ids in the path answer 404.
//   - Issuing under a revoked or expired parent, and revoking a revoked
//     certificate, answer 409.
//   - An INTERMEDIATE's maxDepth must be below its parent's path length when
//     the parent has one; -1 under a limited parent is refused.
//   - certificateCnt counts the LEAF certificates kept in the store;
//     issuerCnt counts ROOT and INTERMEDIATE.
//   - Lists are sorted by id, oldest first; search is a case-insensitive
//     substring match.
//   - A ROOT's chainCertificatePem is empty.
//   - status EXPIRED is computed when read, once notAfter has passed.
//   - A request body must be one UTF-8 JSON object (decodeBody,
//     respond.go); null, arrays, bad bytes and data after the object
//     answer 400 naming "body".
//   - Validity is checked in whole seconds, as the certificate holds it
//     (certTime, validate.go): a specificDate within the current second is
//     not in the future, a child may end in the same second as its parent,
//     and a template whose maxSpecificDate has passed issues nothing.
//   - A template may not list a policy twice (RFC 5280 4.2.1.4).
//   - A path that is not in clean form (// or ..) answers Go's 307
//     redirect to the clean path.
//   - otherName SANs come only from the request's otherSans, each matching
//     an otherSansWhitelist entry (same oid and type, value glob), even with
//     useCsrSans: the CSR's own otherName SANs are not copied (leafSANs,
//     leafpolicy.go).
//   - In SIGN mode the CSR's key must fit the template's keyInfo: same
//     algorithm, RSA at least keySize bits, EC on the keySize curve
//     (checkCSRKey, leafpolicy.go).
//   - Store create answers the short wire.StoreChange with the audit
//     fields; modify and delete answer it without them.
//   - A DELETED store is gone for everyone: not listed, and every path
//     under it, the public CRL and OCSP ones included, answers 404
//     (DeleteStore, service_stores.go). A deleted template is forgotten;
//     the certificates it issued stay.
//   - CRL endpoints of a store with crlActive false answer 409; a LEAF id
//     answers 404 (crlIssuer, service_crl.go). Revoking a certificate does
//     not re-issue the CRL: it is listed from the next CRL, made when the
//     current one's nextUpdate has passed (checked lazily, when read) or on
//     POST /crl. CRL numbers start at 1 and grow by one.
//   - OCSP: unknown store 404; malformed request malformedRequest; store
//     with ocspActive false, or an issuer not of the store, unauthorized;
//     a serial the issuer never issued unknown (OCSP, service_ocsp.go).
//     Responses are signed by the issuer itself, except for Ed25519
//     issuers (which golang.org/x/crypto/ocsp cannot sign with): a
//     delegated EC responder certificate, made in memory per issuer. The
//     response cache is in memory; producedAt is the real time.
//   - Certificates get a CRL distribution point (to .../crl/der of their
//     issuer) and an AIA OCSP URL only when the store had crlActive /
//     ocspActive at issue time and Options.BaseURL is set; a ROOT never
//     gets them.
//   - GET /ocsp/{req} also accepts standard base64, padded or not.
//   - Download's filename is the certificate name with characters other
//     than letters, digits, '.', '-' and '_' replaced by '_'.
