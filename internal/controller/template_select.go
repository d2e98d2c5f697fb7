package controller

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/pca"
	"github.com/nhnpca/pca-issuer/internal/signer"
)

// templateChoice is the template that signs a request, and its facts
// (maxTTL, usages).
type templateChoice struct {
	id       int64
	template *pca.Template
}

// chooseTemplate returns the template that signs req: the one its
// annotation nhnpca.issuer.dev/template-id names, when the issuer allows
// it, else spec.templateId. It is the one place where a template is
// chosen. Errors: a *signer.PermanentError with ReasonTemplateNotAllowed for
// a bad annotation, else the kinds of signer.Classify for the template read.
func (p *pipeline) chooseTemplate(ctx context.Context, pc pcaAPI, iss issuerObject, req request) (templateChoice, error) {
	spec := iss.GetSpec()
	ref, _ := req.issuerRef()
	id, err := templateIDFor(req.object().GetAnnotations(), spec, ref.String())
	if err != nil {
		return templateChoice{}, err
	}
	tmpl, err := p.templates.Get(ctx, pc, iss, id, p.clock.Now())
	if err != nil {
		return templateChoice{}, templateError(err, id, spec)
	}
	return templateChoice{id: id, template: tmpl}, nil
}

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
		return 0, &signer.PermanentError{Reason: v1alpha1.ReasonTemplateNotAllowed, Message: fmt.Sprintf(
			"annotation %s=%q is not a template id: set it to a positive integer, or remove it", v1alpha1.AnnotationTemplateID, v)}
	}
	if id != spec.TemplateID && !slices.Contains(spec.AllowedTemplateIDs, id) {
		return 0, &signer.PermanentError{Reason: v1alpha1.ReasonTemplateNotAllowed, Message: fmt.Sprintf(
			"template %d (annotation %s) is not in spec.allowedTemplateIds of %s: add it there, or remove the annotation",
			id, v1alpha1.AnnotationTemplateID, issuerName)}
	}
	return id, nil
}

// templateError classifies a failure to read the signing template. A
// template chosen by annotation that does not exist fails the request; the
// issuer's own template missing is an issuer fault.
func templateError(err error, templateID int64, spec *v1alpha1.PCAIssuerSpec) error {
	if templateID != spec.TemplateID && pca.IsNotFound(err) {
		return &signer.PermanentError{Reason: v1alpha1.ReasonTemplateNotAllowed, Err: err, Message: fmt.Sprintf(
			"template %d (annotation %s) does not exist in store %d: fix the annotation", templateID, v1alpha1.AnnotationTemplateID, spec.CAStoreID)}
	}
	return signer.Classify(err)
}
