// Package v1alpha1 holds the API of pca-issuer: the PCAIssuer and
// PCAClusterIssuer kinds of group nhnpca.issuer.dev.
//
// +kubebuilder:object:generate=true
// +groupName=nhnpca.issuer.dev
package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	// GroupVersion is nhnpca.issuer.dev/v1alpha1.
	GroupVersion = schema.GroupVersion{Group: "nhnpca.issuer.dev", Version: "v1alpha1"}

	// SchemeBuilder registers the kinds of this package with a scheme.
	SchemeBuilder = runtime.NewSchemeBuilder(addKnownTypes)

	// AddToScheme adds the kinds of this package to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

// addKnownTypes registers both issuer kinds and their lists.
func addKnownTypes(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion, &PCAIssuer{}, &PCAIssuerList{}, &PCAClusterIssuer{}, &PCAClusterIssuerList{})
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}
