package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// PCAIssuer signs cert-manager CertificateRequests of its own namespace
// with a template of an NHN Cloud Private CA store, reading its credentials
// from a Secret of that namespace.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=cert-manager
// +kubebuilder:printcolumn:name="Ready",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].status"
// +kubebuilder:printcolumn:name="Reason",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].reason"
// +kubebuilder:printcolumn:name="Message",type="string",priority=1,JSONPath=".status.conditions[?(@.type==\"Ready\")].message"
// +kubebuilder:printcolumn:name="Age",type="date",JSONPath=".metadata.creationTimestamp"
type PCAIssuer struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   PCAIssuerSpec   `json:"spec,omitempty"`
	Status PCAIssuerStatus `json:"status,omitempty"`
}

// GetSpec returns the issuer's spec.
func (i *PCAIssuer) GetSpec() *PCAIssuerSpec { return &i.Spec }

// GetStatus returns the issuer's status.
func (i *PCAIssuer) GetStatus() *PCAIssuerStatus { return &i.Status }

// PCAIssuerList is a list of PCAIssuers.
//
// +kubebuilder:object:root=true
type PCAIssuerList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []PCAIssuer `json:"items"`
}
