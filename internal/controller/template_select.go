package controller

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/signer"
)

// Reasons of permanent failures decided by the controller.
const (
	// ReasonTemplateNotAllowed: the request's template-id annotation names
	// a template the issuer does not allow.
	ReasonTemplateNotAllowed = "TemplateNotAllowed"
	// ReasonRetryWindowPassed: retryable errors went on past
	// --max-retry-duration.
	ReasonRetryWindowPassed = "RetryWindowPassed"
)

// templateIDFor returns the template that signs a request: the one named by
// the annotation nhnpca.issuer.dev/template-id when the issuer allows it
// (spec.allowedTemplateIds), else spec.templateId. A malformed or
// disallowed annotation is a *signer.PermanentError.
func templateIDFor(annotations map[string]string, spec *v1alpha1.PCAIssuerSpec, issuerName string) (int64, error) {
	v, ok := annotations[v1alpha1.AnnotationTemplateID]
	if !ok {
		return spec.TemplateID, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, &signer.PermanentError{Reason: ReasonTemplateNotAllowed, Message: fmt.Sprintf(
			"annotation %s=%q is not a template id: set it to a positive integer, or remove it", v1alpha1.AnnotationTemplateID, v)}
	}
	if id != spec.TemplateID && !slices.Contains(spec.AllowedTemplateIDs, id) {
		return 0, &signer.PermanentError{Reason: ReasonTemplateNotAllowed, Message: fmt.Sprintf(
			"template %d (annotation %s) is not in spec.allowedTemplateIds of %s: add it there, or remove the annotation",
			id, v1alpha1.AnnotationTemplateID, issuerName)}
	}
	return id, nil
}
