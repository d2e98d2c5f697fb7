package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// Defaults of PCAIssuerSpec, region KR1.
const (
	// DefaultURL is the PCA API base URL of region KR1.
	DefaultURL = "https://kr1-pca.api.nhncloudservice.com"
	// DefaultTokenURL is the base URL of the NHN Cloud OAuth service that
	// issues User Access Key tokens.
	DefaultTokenURL = "https://oauth.api.nhncloudservice.com"
)

// Keys of the credentials Secret named by spec.credentialsRef.
const (
	// SecretKeyAppKey holds the PCA Appkey (it sits in every API path).
	SecretKeyAppKey = "appKey"
	// SecretKeyAccessKeyID holds the User Access Key ID.
	SecretKeyAccessKeyID = "userAccessKeyId"
	// SecretKeySecretAccessKey holds the User Access Key's secret.
	SecretKeySecretAccessKey = "secretAccessKey"
)

// PCAIssuerSpec is the spec shared by PCAIssuer and PCAClusterIssuer: where
// the PCA API is, which store and template sign, and which credentials to
// use.
type PCAIssuerSpec struct {
	// URL is the PCA API base URL. It must be https; http is admitted only
	// for localhost, and then used only by a manager started with
	// --insecure-allow-http (docs/security.md, "Endpoints").
	// +kubebuilder:default="https://kr1-pca.api.nhncloudservice.com"
	// +kubebuilder:validation:Pattern=`^https?://`
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getHostname() != '' && (url(self).getScheme() == 'https' || url(self).getHostname() in ['localhost', '127.0.0.1', '::1'])",message="url must be an absolute https URL with a host (http only for localhost, with the manager's --insecure-allow-http)"
	// +optional
	URL string `json:"url,omitempty"`

	// TokenURL is the base URL of the OAuth service that issues User Access
	// Key tokens; the token endpoint is TokenURL + /oauth2/token/create.
	// The same scheme rules as URL apply.
	// +kubebuilder:default="https://oauth.api.nhncloudservice.com"
	// +kubebuilder:validation:Pattern=`^https?://`
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getHostname() != '' && (url(self).getScheme() == 'https' || url(self).getHostname() in ['localhost', '127.0.0.1', '::1'])",message="tokenURL must be an absolute https URL with a host (http only for localhost, with the manager's --insecure-allow-http)"
	// +optional
	TokenURL string `json:"tokenURL,omitempty"`

	// CAStoreID is the id of the PCA store (caStoreId in the API).
	// +kubebuilder:validation:Minimum=1
	// +required
	CAStoreID int64 `json:"caStoreId"`

	// TemplateID is the id of the store's template that signs certificates
	// (templateId in the API). The template must issue leaf certificates.
	// +kubebuilder:validation:Minimum=1
	// +required
	TemplateID int64 `json:"templateId"`

	// CredentialsRef names a Secret holding the keys appKey,
	// userAccessKeyId and secretAccessKey. A PCAIssuer reads it from its own
	// namespace; a PCAClusterIssuer from the cluster resource namespace of
	// the controller (flag --cluster-resource-namespace, default
	// cert-manager).
	// +required
	CredentialsRef SecretReference `json:"credentialsRef"`

	// CABundle is PEM-encoded CA certificates to trust for url and
	// tokenURL. When set, only these are trusted; when unset, the
	// system's trust store is.
	// +optional
	CABundle []byte `json:"caBundle,omitempty"`

	// AllowedTemplateIDs lists other templates of the same store that a
	// CertificateRequest may select with the annotation
	// nhnpca.issuer.dev/template-id. Requests naming a template not listed
	// here fail.
	// +listType=set
	// +optional
	AllowedTemplateIDs []int64 `json:"allowedTemplateIds,omitempty"`

	// RateLimit bounds the PCA API calls this issuer makes, shared by all
	// its requests.
	// +optional
	RateLimit *RateLimit `json:"rateLimit,omitempty"`
}

// RateLimit is a token bucket for PCA API calls (golang.org/x/time/rate).
type RateLimit struct {
	// RequestsPerSecond is the sustained rate of PCA API calls.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	// +kubebuilder:default=10
	// +optional
	RequestsPerSecond int32 `json:"requestsPerSecond,omitempty"`

	// Burst is how many calls may go at once above the sustained rate.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	// +kubebuilder:default=20
	// +optional
	Burst int32 `json:"burst,omitempty"`
}

// Defaults of RateLimit, used when spec.rateLimit is unset.
const (
	DefaultRequestsPerSecond = 10
	DefaultBurst             = 20
)

// AnnotationTemplateID on a CertificateRequest (copied by cert-manager
// from its Certificate) selects another template of the issuer's store; it
// must be listed in spec.allowedTemplateIds.
const AnnotationTemplateID = "nhnpca.issuer.dev/template-id"

// AnnotationAllowedIssuers on a credentials Secret pins it to the issuers
// it lists, comma-separated, each "PCAIssuer/<name>" or
// "PCAClusterIssuer/<name>"; other issuers that name the Secret are refused
// (reason SecretNotAllowed). Without it, any issuer of the Secret's
// namespace may use the Secret (docs/security.md, "Credentials").
const AnnotationAllowedIssuers = "nhnpca.issuer.dev/allowed-issuers"

// SecretReference names a Secret. It has no namespace field on purpose: no
// issuer may read another namespace's Secret.
type SecretReference struct {
	// Name of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +required
	Name string `json:"name"`
}

// PCAIssuerStatus is the observed state of an issuer.
type PCAIssuerStatus struct {
	// Conditions: type Ready tells whether the store and the template were
	// read with the Secret's credentials.
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}
