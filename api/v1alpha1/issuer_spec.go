package v1alpha1

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

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

	// AllowedTemplateIDs lists other templates of the same store that
	// this issuer may sign with: a request selects one with the annotation
	// nhnpca.issuer.dev/template-id, or one is chosen by the CSR's key when
	// spec.templateId's key does not fit (docs/limits.md). Requests naming
	// a template not listed here fail.
	// +listType=set
	// +optional
	AllowedTemplateIDs []int64 `json:"allowedTemplateIds,omitempty"`

	// RateLimit bounds the PCA API calls this issuer makes, shared by all
	// its requests.
	// +optional
	RateLimit *RateLimit `json:"rateLimit,omitempty"`

	// TrustBundle, when set, publishes the CA certificates this issuer's
	// certificates chain to (docs/trust-bundle.md).
	// +optional
	TrustBundle *TrustBundle `json:"trustBundle,omitempty"`

	// Revocation sets how certificates this issuer issued are checked
	// against the PCA's revocation status and revoked from the cluster
	// (docs/revocation.md). Unset: checked every hour, never revoked
	// unless a Certificate is annotated nhnpca.issuer.dev/revoke.
	// +optional
	Revocation *Revocation `json:"revocation,omitempty"`
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

// TrustBundle publishes an issuer's CA certificates: for each template it
// may sign with (spec.templateId, then spec.allowedTemplateIds), the
// intermediates of the chain that template signs under, then its root;
// PEM, each certificate once. Where the API server serves
// certificates.k8s.io ClusterTrustBundles, the same certificates also go
// into a ClusterTrustBundle linked to the issuer's signer name, for pods
// to project. A bundle is never written empty, and never over an object
// the issuer does not own (Warning event TrustBundleConflict). A CA
// certificate that left the chains stays in the bundle by the rule of
// RetainPreviousRootsFor (docs/trust-bundle.md, "Root rotation").
type TrustBundle struct {
	// ConfigMap names the ConfigMap the bundle is written to, in the
	// issuer's namespace (the cluster resource namespace for a
	// PCAClusterIssuer), for example as a trust-manager Bundle source.
	// Unset: no ConfigMap is written.
	// +optional
	ConfigMap *ConfigMapKeySelector `json:"configMap,omitempty"`

	// RetainPreviousRootsFor is how long, at least, a CA certificate (a
	// root or an intermediate) that left the chains of this issuer's
	// templates stays in the bundle. It also stays, whatever this window,
	// while a certificate this issuer issued, still in a Certificate's
	// Secret, chains through it (the in-use rule). Unset: only the in-use
	// rule applies. A Go duration from 0s to 87600h (ten
	// years, a root's lifetime at most); a value the manager could not
	// decode would stop it from reading any issuer, so the API server
	// refuses it.
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('0s') && duration(self) <= duration('87600h')",message="retainPreviousRootsFor must be a duration from 0s to 87600h, e.g. 720h"
	// +optional
	RetainPreviousRootsFor *metav1.Duration `json:"retainPreviousRootsFor,omitempty"`
}

// ConfigMapKeySelector names a key of a ConfigMap in the issuer's
// namespace.
type ConfigMapKeySelector struct {
	// Name of the ConfigMap: a DNS subdomain (RFC 1123), as Kubernetes
	// names ConfigMaps.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	// +required
	Name string `json:"name"`

	// Key of the PEM bundle in the ConfigMap's data: a ConfigMap key
	// (characters -._a-zA-Z0-9, not "." or "..", not starting with "..").
	// +kubebuilder:default="ca.crt"
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]+$`
	// +kubebuilder:validation:XValidation:rule="self != '.' && !self.startsWith('..')",message="key must be a ConfigMap key: not '.' and not starting with '..'"
	// +optional
	Key string `json:"key,omitempty"`
}

// DefaultTrustBundleKey is the ConfigMap key of the bundle when
// spec.trustBundle.configMap.key is unset.
const DefaultTrustBundleKey = "ca.crt"

// Labels and annotations of the objects a trust bundle is written to
// (docs/trust-bundle.md).
const (
	// LabelTrustBundle is "true" on every ConfigMap and ClusterTrustBundle
	// an issuer publishes its bundle in, for a trust-manager Bundle's
	// source selector.
	LabelTrustBundle = "nhnpca.issuer.dev/trust-bundle"
	// LabelIssuerKind names the kind of the publishing issuer, PCAIssuer
	// or PCAClusterIssuer.
	LabelIssuerKind = "nhnpca.issuer.dev/issuer-kind"
	// LabelIssuerName names the publishing issuer; it is left out when the
	// name is longer than a label value may be (63 characters), and the
	// owner reference names the issuer.
	LabelIssuerName = "nhnpca.issuer.dev/issuer-name"
	// AnnotationRetiredCAs records, on a published bundle, when each CA
	// certificate that is still in the bundle but no longer in a chain of
	// the issuer's templates left the chains: a JSON object from the
	// certificate's SHA-256 fingerprint (lower-case hex) to an RFC 3339
	// time. It keeps the retention rule true across manager restarts.
	AnnotationRetiredCAs = "nhnpca.issuer.dev/retired-cas"
)

// Revocation sets the revocation behaviour of an issuer.
type Revocation struct {
	// CheckInterval is how often each certificate this issuer issued and
	// still in use (in a Certificate's Secret, or a signed Kubernetes
	// CSR's status.certificate) is checked against the PCA's revocation
	// status (the store's CRL where it is active, else OCSP). A revoked
	// Certificate is renewed at once; a revoked CSR gets a Warning event. Unset: 1h. A Go duration from 1s to
	// 720h (30 days); a value the manager could not decode would stop it
	// from reading any issuer, so the API server refuses it.
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s') && duration(self) <= duration('720h')",message="checkInterval must be a duration from 1s to 720h, e.g. 15m"
	// +optional
	CheckInterval *metav1.Duration `json:"checkInterval,omitempty"`

	// RevokeSuperseded revokes, through the PCA, a certificate this issuer
	// issued once its Certificate's renewal is in the Secret and
	// GracePeriod has passed. Certificates not issued by this issuer are
	// never revoked.
	// +optional
	RevokeSuperseded bool `json:"revokeSuperseded,omitempty"`

	// GracePeriod is how long a superseded certificate stays valid after
	// its renewal reached the Secret, so that workloads can reload. Unset:
	// 1h. A Go duration from 0s to 720h (30 days); a value the manager
	// could not decode would stop it from reading any issuer, so the API
	// server refuses it.
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('0s') && duration(self) <= duration('720h')",message="gracePeriod must be a duration from 0s to 720h, e.g. 1h"
	// +optional
	GracePeriod *metav1.Duration `json:"gracePeriod,omitempty"`
}

// Defaults of Revocation.
const (
	DefaultRevocationCheckInterval = time.Hour
	DefaultRevocationGracePeriod   = time.Hour
	// MaxRevocationCheckInterval is the longest spec.revocation.checkInterval
	// (the CRD's bound, also applied to objects stored before it).
	MaxRevocationCheckInterval = 720 * time.Hour
)

// Annotations of revocation (docs/revocation.md).
const (
	// AnnotationRevoke on a Certificate revokes the certificate currently
	// in its Secret through the PCA and renews it. Its value is an RFC 5280
	// section 5.3.1 reason name (for example keyCompromise, superseded,
	// cessationOfOperation, unspecified; certificateHold and removeFromCRL
	// are refused, a PCA revocation being permanent). The PCA's revoke
	// call takes no reason: the reason is recorded in the event only. The
	// issuer removes the annotation when done, and when it refuses (a
	// certificate it did not issue, an unknown reason), with a Warning
	// event saying why (docs/revocation.md).
	AnnotationRevoke = "nhnpca.issuer.dev/revoke"

	// AnnotationCertificateID on a CertificateRequest or a Kubernetes CSR
	// records the PCA certificateId of the certificate issued for it. It
	// is written before the request's status, so an issued request always
	// has it; revocation trusts it only for the certificate the request's
	// status holds.
	AnnotationCertificateID = "nhnpca.issuer.dev/certificate-id"

	// AnnotationSerialNumber on a CertificateRequest or a Kubernetes CSR
	// records the serial number of the certificate issued for it (read
	// from the certificate itself), in the PCA's spelling (upper-case hex,
	// colon-separated), with AnnotationCertificateID.
	AnnotationSerialNumber = "nhnpca.issuer.dev/serial-number"
)
