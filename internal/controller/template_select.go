package controller

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/pca"
	"github.com/nhnpca/pca-issuer/internal/pca/wire"
	"github.com/nhnpca/pca-issuer/internal/signer"
)

// templateChoice is the template that signs a request, and its facts
// (keyInfo, maxTTL, usages).
type templateChoice struct {
	id       int64
	template *wire.Template
}

// chooseTemplate returns the template that signs req, each candidate read
// through the template cache. It is the one place where a template is
// chosen (docs/limits.md, "Template selection by key"):
//
//   - with the annotation nhnpca.issuer.dev/template-id, the template it
//     names (see templateIDFor), which must take the CSR's key;
//   - else the first of spec.templateId, then spec.allowedTemplateIds in
//     list order, whose keyInfo takes the CSR's key exactly, else the first
//     that takes it at all (signer.ChooseTemplate). Reading stops at the
//     first exact fit.
//
// Errors, all before any issuance call: a *signer.PermanentError with
// v1alpha1.ReasonNoTemplateForKey when the key fits no candidate, with
// v1alpha1.ReasonTemplateNotAllowed for a bad annotation or a missing allowed
// template; else the kinds of signer.Classify for a template read.
func (p *pipeline) chooseTemplate(ctx context.Context, pc pcaAPI, iss issuerObject, req request, csrPEM []byte) (templateChoice, error) {
	pub, err := signer.CSRPublicKey(csrPEM)
	if err != nil {
		return templateChoice{}, err
	}
	spec := iss.GetSpec()
	ids := candidateTemplateIDs(spec)
	annotations := req.object().GetAnnotations()
	_, byAnnotation := annotations[v1alpha1.AnnotationTemplateID]
	if byAnnotation {
		ref, _ := req.issuerRef()
		id, err := templateIDFor(annotations, spec, ref.String())
		if err != nil {
			return templateChoice{}, err
		}
		ids = []int64{id}
	}
	var candidates []*wire.Template
	for _, id := range ids {
		tmpl, err := p.templates.Get(ctx, pc, iss, id, p.clock.Now())
		if err != nil {
			return templateChoice{}, candidateError(err, id, spec, byAnnotation)
		}
		if signer.KeyFitsExactly(pub, tmpl) {
			return templateChoice{id: id, template: tmpl}, nil
		}
		candidates = append(candidates, tmpl)
	}
	tmpl, err := signer.ChooseTemplate(pub, candidates)
	if err != nil {
		return templateChoice{}, err
	}
	return templateChoice{id: tmpl.ID, template: tmpl}, nil
}

// templateIDFor returns the template that the annotation
// nhnpca.issuer.dev/template-id names, when the issuer allows it
// (spec.templateId or spec.allowedTemplateIds), else spec.templateId when
// there is no annotation. A malformed or disallowed annotation is a
// *signer.PermanentError.
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

// candidateError classifies a failure to read a candidate template: a
// template named by the annotation, or listed in spec.allowedTemplateIds,
// that the store does not have fails the request with a message saying
// where to fix it; spec.templateId missing is an issuer fault; others as
// signer.Classify.
func candidateError(err error, id int64, spec *v1alpha1.PCAIssuerSpec, byAnnotation bool) error {
	switch {
	case id == spec.TemplateID || !pca.IsNotFound(err):
		return signer.Classify(err)
	case byAnnotation:
		return &signer.PermanentError{Reason: v1alpha1.ReasonTemplateNotAllowed, Err: err, Message: fmt.Sprintf(
			"template %d (annotation %s) does not exist in store %d: fix the annotation", id, v1alpha1.AnnotationTemplateID, spec.CAStoreID)}
	default:
		return &signer.PermanentError{Reason: v1alpha1.ReasonTemplateNotAllowed, Err: err, Message: fmt.Sprintf(
			"template %d of spec.allowedTemplateIds does not exist in store %d: remove it from the issuer's spec.allowedTemplateIds", id, spec.CAStoreID)}
	}
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
