package controller

import (
	"testing"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/signer"
)

func TestTemplateIDFor(t *testing.T) {
	spec := &v1alpha1.PCAIssuerSpec{TemplateID: 7, AllowedTemplateIDs: []int64{9}}
	cases := []struct {
		name          string
		annotations   map[string]string
		want          int64
		wantPermanent bool
	}{
		{"no-annotation-uses-spec", nil, 7, false},
		{"allowed-template", map[string]string{v1alpha1.AnnotationTemplateID: "9"}, 9, false},
		{"spec-template-by-annotation", map[string]string{v1alpha1.AnnotationTemplateID: "7"}, 7, false},
		{"not-allowed-fails", map[string]string{v1alpha1.AnnotationTemplateID: "8"}, 0, true},
		{"not-a-number-fails", map[string]string{v1alpha1.AnnotationTemplateID: "x"}, 0, true},
		{"zero-fails", map[string]string{v1alpha1.AnnotationTemplateID: "0"}, 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := templateIDFor(tc.annotations, spec, "PCAIssuer ns/x")
			if signer.IsPermanent(err) != tc.wantPermanent || got != tc.want {
				t.Errorf("templateIDFor = %d, %v; want %d, permanent=%v", got, err, tc.want, tc.wantPermanent)
			}
		})
	}
}
