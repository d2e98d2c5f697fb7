package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// PCAClusterIssuer signs cert-manager CertificateRequests of every namespace
// with a template of an NHN Cloud Private CA store, reading its credentials
// from a Secret of the cluster resource namespace.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,categories=cert-manager
// +kubebuilder:printcolumn:name="Ready",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].status"
// +kubebuilder:printcolumn:name="Reason",type="string",JSONPath=".status.conditions[?(@.type==\"Ready\")].reason"
// +kubebuilder:printcolumn:name="Message",type="string",priority=1,JSONPath=".status.conditions[?(@.type==\"Ready\")].message"
// +kubebuilder:printcolumn:name="Age",type="date",JSONPath=".metadata.creationTimestamp"
type PCAClusterIssuer struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   PCAIssuerSpec   `json:"spec,omitempty"`
	Status PCAIssuerStatus `json:"status,omitempty"`
}

// GetSpec returns the issuer's spec.
func (i *PCAClusterIssuer) GetSpec() *PCAIssuerSpec { return &i.Spec }

// GetStatus returns the issuer's status.
func (i *PCAClusterIssuer) GetStatus() *PCAIssuerStatus { return &i.Status }

// PCAClusterIssuerList is a list of PCAClusterIssuers.
//
// +kubebuilder:object:root=true
type PCAClusterIssuerList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []PCAClusterIssuer `json:"items"`
}
