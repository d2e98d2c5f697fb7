package controller

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/pca"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
)

// healthResult is the outcome of one issuer check: the Ready condition's
// status, reason and message, and whether the failure is transient (retried
// with backoff rather than waiting for the user).
type healthResult struct {
	status    metav1.ConditionStatus
	reason    string
	message   string
	transient bool
	template  *wire.Template
	// cas is the CA chain spec.templateId signs under, when casRead.
	cas     storeCAs
	casRead bool
}

// checkIssuer reads the Secret, then the store and the template with the
// Secret's credentials. It never returns an error: every failure is a
// healthResult naming what to fix.
func checkIssuer(ctx context.Context, cs *clients, iss v1alpha1.Issuer) healthResult {
	spec := iss.GetSpec()
	pc, err := cs.For(ctx, iss)
	if err != nil {
		return configFailure(err)
	}
	store, err := pc.GetStore(ctx, spec.CAStoreID)
	if err != nil && pca.IsNotFound(err) && urlIsWrong(ctx, pc, err) {
		return healthResult{status: metav1.ConditionFalse, reason: v1alpha1.ReasonSpecInvalid, message: fmt.Sprintf(
			"the PCA API answered 404 for the store list at spec.url %s (%v): spec.url must be the API's base URL (e.g. %s), with no path such as /v2.0",
			orDefault(spec.URL, v1alpha1.DefaultURL), err, v1alpha1.DefaultURL)}
	}
	if err != nil {
		return apiFailure(err, v1alpha1.ReasonStoreNotFound, fmt.Sprintf(
			"store %d not found: set spec.caStoreId to the id of a store of this appkey", spec.CAStoreID))
	}
	if store.Status != "" && store.Status != wire.StatusActive {
		return healthResult{status: metav1.ConditionFalse, reason: v1alpha1.ReasonStoreNotActive, message: fmt.Sprintf(
			"store %d (%s) is %s: activate it in the PCA console or point spec.caStoreId at an active store", store.ID, store.Name, store.Status)}
	}
	tmpl, err := pc.GetTemplate(ctx, spec.CAStoreID, spec.TemplateID)
	if err != nil {
		return apiFailure(err, v1alpha1.ReasonTemplateNotFound, fmt.Sprintf(
			"template %d not found in store %d: set spec.templateId to a template of that store", spec.TemplateID, spec.CAStoreID))
	}
	if !tmpl.IsLeaf {
		return healthResult{status: metav1.ConditionFalse, reason: v1alpha1.ReasonTemplateNotUsable, message: fmt.Sprintf(
			"template %d (%s) does not issue leaf certificates: choose a leaf template", tmpl.ID, tmpl.Name)}
	}
	// The CA chain the template signs under is pinned for answer checks.
	// Reading it is not part of being Ready: a failure keeps the chain read
	// last, and a request reads it again if none is pinned.
	cas, casErr := readSigningCAs(ctx, pc, spec.CAStoreID, tmpl.SigningCertificateID)
	casNote := ""
	if casErr != nil {
		casNote = fmt.Sprintf("; the CA chain of its signing certificate could not be read this time (%v)", casErr)
	}
	return healthResult{status: metav1.ConditionTrue, reason: v1alpha1.ReasonChecked, template: tmpl, cas: cas, casRead: casErr == nil, message: fmt.Sprintf(
		"store %d (%s) and template %d (%s) read with the credentials of Secret %s/%s%s",
		store.ID, store.Name, tmpl.ID, tmpl.Name, cs.secretNamespace(iss), spec.CredentialsRef.Name, casNote)}
}

// storeLister is the call urlIsWrong makes.
type storeLister interface {
	ListStores(ctx context.Context, opts wire.ListOptions) (*wire.StoreList, error)
}

// urlIsWrong tells, after a 404 for the issuer's store (notFound), whether
// spec.url is wrong rather than spec.caStoreId: the 404 is not the API's
// own answer (no envelope with a resultCode), or the store list, which
// always exists, answers 404 too. An extra path in spec.url (e.g. .../v2.0)
// sends every call to a path the API does not have.
func urlIsWrong(ctx context.Context, pc storeLister, notFound error) bool {
	var e *pca.Error
	if errors.As(notFound, &e) && e.ResultCode == 0 {
		return true // not the API's envelope: a proxy's or a web server's 404
	}
	_, err := pc.ListStores(ctx, wire.ListOptions{Size: 1})
	return pca.IsNotFound(err)
}

// configFailure turns an error of clients.For into a result.
func configFailure(err error) healthResult {
	var ce *issuerConfigError
	if errors.As(err, &ce) {
		return healthResult{status: metav1.ConditionFalse, reason: ce.Reason, message: ce.Message}
	}
	return healthResult{status: metav1.ConditionFalse, reason: v1alpha1.ReasonUnreachable, message: err.Error(), transient: true}
}

// apiFailure turns a PCA error into a result; notFoundReason and
// notFoundMessage describe an HTTP 404.
func apiFailure(err error, notFoundReason, notFoundMessage string) healthResult {
	var tokenErr *pca.TokenError
	switch {
	case errors.As(err, &tokenErr) && tokenErr.HTTPStatus == http.StatusNotFound:
		return healthResult{status: metav1.ConditionFalse, reason: v1alpha1.ReasonSpecInvalid, message: fmt.Sprintf(
			"the token endpoint answered 404 (%v): spec.tokenURL must be the OAuth base URL, without /oauth2/token/create", err)}
	case pca.IsEndpointError(err):
		return healthResult{status: metav1.ConditionFalse, reason: v1alpha1.ReasonEndpointRefused, message: fmt.Sprintf(
			"%v: point spec.url and spec.tokenURL at the PCA's public https endpoints", err)}
	case pca.IsUnauthorized(err) || pca.IsForbidden(err):
		return healthResult{status: metav1.ConditionFalse, reason: v1alpha1.ReasonCredentialsRejected, message: fmt.Sprintf(
			"the PCA refused the credentials (%v): check appKey, userAccessKeyId and secretAccessKey in the Secret, and that the access key has the ADMIN role", err)}
	case pca.IsNotFound(err):
		return healthResult{status: metav1.ConditionFalse, reason: notFoundReason, message: notFoundMessage}
	default:
		return healthResult{status: metav1.ConditionFalse, reason: v1alpha1.ReasonUnreachable, transient: true, message: fmt.Sprintf(
			"the PCA API could not be read (%v): check spec.url, spec.tokenURL, spec.caBundle and the network; retrying", err)}
	}
}
