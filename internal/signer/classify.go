package signer

import (
	"errors"
	"net/http"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/pca"
)

// Classify maps an error of the PCA issuance call (or any error) to one of
// the three kinds:
//
//   - nil stays nil, and an error that already is one of the kinds is
//     returned unchanged;
//   - an endpoint refused by the client (*pca.EndpointError: a redirect to
//     another host, an address not dialled, an oversized answer) ->
//     *IssuerError with v1alpha1.ReasonEndpointRefused;
//   - a refused token request (*pca.TokenError) or HTTP 401/403 ->
//     *IssuerError with v1alpha1.ReasonCredentialsRejected;
//   - HTTP 404 -> *IssuerError with v1alpha1.ReasonTemplateNotFound (the CA store or
//     the template is gone);
//   - HTTP 400, 409 or 422 -> *PermanentError with v1alpha1.ReasonRefused and the
//     envelope's resultMessage: the template refused the CSR or its fields;
//   - everything else, retryable by pca.IsRetryable or unknown ->
//     *RetryableError.
//
// The 400/409/422 rule assumes err came from issuance; errors of other calls
// (template or store lookups) should be classified by their caller.
func Classify(err error) error {
	if err == nil || isClassified(err) {
		return err
	}
	switch {
	case pca.IsEndpointError(err):
		return &IssuerError{Reason: v1alpha1.ReasonEndpointRefused, Err: err,
			Message: "the PCA endpoint cannot be used"}
	case pca.IsUnauthorized(err):
		return &IssuerError{Reason: v1alpha1.ReasonCredentialsRejected, Err: err,
			Message: "the PCA refused the credentials: check the appkey and the User Access Key ID and secret in the issuer's Secret"}
	case pca.IsForbidden(err):
		return &IssuerError{Reason: v1alpha1.ReasonCredentialsRejected, Err: err,
			Message: "the PCA refused the request for lack of rights: the User Access Key needs the ADMIN role to issue certificates"}
	case pca.IsNotFound(err):
		return &IssuerError{Reason: v1alpha1.ReasonTemplateNotFound, Err: err,
			Message: "the PCA does not know the CA store or the template: check caStoreId and templateId in the issuer's spec"}
	case isRefusal(err):
		return permanent(v1alpha1.ReasonRefused, "the PCA template refused the request: "+resultMessage(err)+
			"; change the Certificate to fit the template, or the template", err)
	}
	return &RetryableError{Err: err}
}

// isClassified reports whether err already is one of the three kinds.
func isClassified(err error) bool {
	return IsPermanent(err) || IsRetryable(err) || IsIssuerError(err)
}

// isRefusal reports the HTTP statuses by which the API says the request
// itself is wrong (validation, conflict), so sending it again cannot help.
func isRefusal(err error) bool {
	switch pca.StatusOf(err) {
	case http.StatusBadRequest, http.StatusConflict, http.StatusUnprocessableEntity:
		return true
	}
	return false
}

// resultMessage returns the envelope's resultMessage, or the whole error
// text when the API gave none.
func resultMessage(err error) string {
	var e *pca.Error
	if errors.As(err, &e) && e.ResultMessage != "" {
		return e.ResultMessage
	}
	return err.Error()
}
