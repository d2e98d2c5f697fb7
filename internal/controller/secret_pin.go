package controller

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

// checkSecretPin enforces the opt-in pin of a credentials Secret: when the
// Secret carries the annotation v1alpha1.AnnotationAllowedIssuers, only the
// issuers it lists ("PCAIssuer/<name>" or "PCAClusterIssuer/<name>",
// comma-separated) may use it. Without the annotation any issuer of the
// namespace may (docs/security.md, "Credentials"). A refusal is an
// *issuerConfigError with reason SecretNotAllowed.
func checkSecretPin(secret *corev1.Secret, iss v1alpha1.Issuer) error {
	list, pinned := secret.Annotations[v1alpha1.AnnotationAllowedIssuers]
	if !pinned {
		return nil
	}
	self := issuerPinName(iss)
	var entries []string
	for _, e := range strings.Split(list, ",") {
		if e = strings.TrimSpace(e); e != "" {
			entries = append(entries, e)
		}
	}
	if slices.Contains(entries, self) {
		return nil
	}
	return &issuerConfigError{Reason: v1alpha1.ReasonSecretNotAllowed, Message: fmt.Sprintf(
		"Secret %s/%s allows only %q (annotation %s): add %s there, or use another Secret",
		secret.Namespace, secret.Name, entries, v1alpha1.AnnotationAllowedIssuers, self)}
}

// issuerPinName is how a pin names iss: "PCAIssuer/<name>" or
// "PCAClusterIssuer/<name>".
func issuerPinName(iss v1alpha1.Issuer) string {
	if iss.GetNamespace() == "" {
		return kindClusterIssuer + "/" + iss.GetName()
	}
	return kindIssuer + "/" + iss.GetName()
}
