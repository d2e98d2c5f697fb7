// Package v1alpha1 holds the API of pca-issuer: the PCAIssuer and
// PCAClusterIssuer kinds of group nhnpca.issuer.dev.
//
// +kubebuilder:object:generate=true
// +groupName=nhnpca.issuer.dev
package v1alpha1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

var (
	// GroupVersion is nhnpca.issuer.dev/v1alpha1.
	GroupVersion = schema.GroupVersion{Group: "nhnpca.issuer.dev", Version: "v1alpha1"}

	// SchemeBuilder registers the kinds of this package with a scheme.
	SchemeBuilder = &scheme.Builder{GroupVersion: GroupVersion}

	// AddToScheme adds the kinds of this package to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)
