package controller

import (
	"errors"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

func TestSecretPin(t *testing.T) {
	issuer := &v1alpha1.PCAIssuer{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "web"}}
	cluster := &v1alpha1.PCAClusterIssuer{ObjectMeta: metav1.ObjectMeta{Name: "web"}}
	tests := []struct {
		name        string
		annotations map[string]string
		iss         v1alpha1.Issuer
		wantRefused bool
	}{
		{name: "no-pin-allows-any-issuer", iss: issuer},
		{name: "listed-issuer-allowed", annotations: map[string]string{v1alpha1.AnnotationAllowedIssuers: "PCAIssuer/other, PCAIssuer/web"}, iss: issuer},
		{name: "unlisted-issuer-refused", annotations: map[string]string{v1alpha1.AnnotationAllowedIssuers: "PCAIssuer/other"}, iss: issuer, wantRefused: true},
		{name: "kind-matters", annotations: map[string]string{v1alpha1.AnnotationAllowedIssuers: "PCAIssuer/web"}, iss: cluster, wantRefused: true},
		{name: "cluster-issuer-listed", annotations: map[string]string{v1alpha1.AnnotationAllowedIssuers: "PCAClusterIssuer/web"}, iss: cluster},
		{name: "empty-pin-refuses-all", annotations: map[string]string{v1alpha1.AnnotationAllowedIssuers: ""}, iss: issuer, wantRefused: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "creds", Annotations: tt.annotations}}
			err := checkSecretPin(secret, tt.iss)
			var ce *issuerConfigError
			refused := errors.As(err, &ce) && ce.Reason == v1alpha1.ReasonSecretNotAllowed
			if refused != tt.wantRefused || (err != nil && !refused) {
				t.Fatalf("checkSecretPin = %v, want refused %v", err, tt.wantRefused)
			}
		})
	}
}
