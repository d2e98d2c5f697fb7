package controller

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/pca"
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

// selectTemplate returns the template that signs csrPEM for iss, each
// candidate read through the template cache:
//
//   - with the annotation nhnpca.issuer.dev/template-id, the template it
//     names (see templateIDFor), which must take the CSR's key;
//   - else the first of spec.templateId, then spec.allowedTemplateIds in list
//     order, whose keyInfo takes the CSR's key exactly, else the first that
//     takes it at all (signer.ChooseTemplate). Reading stops at the first
//     exact fit.
//
// A key that fits no candidate is a *signer.PermanentError with
// signer.ReasonNoTemplateForKey, returned before any issuance call. Errors
// reading a template are classified by templateError.
func (s *signing) selectTemplate(ctx context.Context, pc *pca.Client, iss issuerObject, annotations map[string]string, csrPEM []byte, issuerName string, now time.Time) (*pca.Template, error) {
	pub, err := signer.CSRPublicKey(csrPEM)
	if err != nil {
		return nil, err
	}
	spec := iss.GetSpec()
	ids := candidateTemplateIDs(spec)
	_, byAnnotation := annotations[v1alpha1.AnnotationTemplateID]
	if byAnnotation {
		id, err := templateIDFor(annotations, spec, issuerName)
		if err != nil {
			return nil, err
		}
		ids = []int64{id}
	}
	var candidates []*pca.Template
	for _, id := range ids {
		tmpl, err := s.templates.Get(ctx, pc, iss, id, now)
		if err != nil {
			return nil, candidateError(err, id, spec, byAnnotation)
		}
		if signer.KeyFitsExactly(pub, tmpl) {
			return tmpl, nil
		}
		candidates = append(candidates, tmpl)
	}
	return signer.ChooseTemplate(pub, candidates)
}

// candidateError classifies a failure to read a candidate template: an id
// of spec.allowedTemplateIds that the store does not have fails the request
// with a message saying so; others as templateError (by annotation: a
// failed request; spec.templateId: an issuer fault).
func candidateError(err error, id int64, spec *v1alpha1.PCAIssuerSpec, byAnnotation bool) error {
	if !byAnnotation && id != spec.TemplateID && pca.IsNotFound(err) {
		return &signer.PermanentError{Reason: ReasonTemplateNotAllowed, Err: err, Message: fmt.Sprintf(
			"template %d of spec.allowedTemplateIds does not exist in store %d: remove it from the issuer's spec.allowedTemplateIds", id, spec.CAStoreID)}
	}
	return templateError(err, id, spec)
}

// candidateTemplateIDs is spec.templateId followed by
// spec.allowedTemplateIds in list order, each once.
func candidateTemplateIDs(spec *v1alpha1.PCAIssuerSpec) []int64 {
	ids := []int64{spec.TemplateID}
	for _, id := range spec.AllowedTemplateIDs {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// issuerDisplayName names an issuer for messages, e.g. "PCAIssuer
// default/my-issuer" or "PCAClusterIssuer my-issuer".
func issuerDisplayName(iss issuerObject) string {
	if _, cluster := iss.(*v1alpha1.PCAClusterIssuer); cluster {
		return kindClusterIssuer + " " + iss.GetName()
	}
	return kindIssuer + " " + iss.GetNamespace() + "/" + iss.GetName()
}
