package v1alpha1

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ConditionReady is the condition type of a ready issuer.
const ConditionReady = "Ready"

// Reasons of the issuer's Ready condition: one per thing a user can fix.
const (
	// ReasonChecked: the store and the template were read with the
	// credentials (Ready=True).
	ReasonChecked = "Checked"
	// ReasonSecretNotFound: the credentials Secret does not exist where the
	// issuer may read it.
	ReasonSecretNotFound = "SecretNotFound"
	// ReasonSecretNotAllowed: the Secret's nhnpca.issuer.dev/allowed-issuers
	// annotation does not list the issuer.
	ReasonSecretNotAllowed = "SecretNotAllowed"
	// ReasonSecretInvalid: the Secret lacks a key or holds an empty one.
	ReasonSecretInvalid = "SecretInvalid"
	// ReasonSpecInvalid: spec.url or spec.tokenURL is not usable (not an
	// absolute URL, or the token endpoint is not at tokenURL).
	ReasonSpecInvalid = "SpecInvalid"
	// ReasonCABundleInvalid: spec.caBundle holds no PEM certificate.
	ReasonCABundleInvalid = "CABundleInvalid"
	// ReasonCredentialsRejected: the token endpoint or the API refused the
	// appkey, the access key or its role.
	ReasonCredentialsRejected = "CredentialsRejected"
	// ReasonStoreNotFound: spec.caStoreId is unknown to the PCA.
	ReasonStoreNotFound = "StoreNotFound"
	// ReasonStoreNotActive: the store exists but its status is not ACTIVE.
	ReasonStoreNotActive = "StoreNotActive"
	// ReasonTemplateNotFound: spec.templateId is unknown in the store.
	ReasonTemplateNotFound = "TemplateNotFound"
	// ReasonTemplateNotUsable: the template cannot sign leaf certificates.
	ReasonTemplateNotUsable = "TemplateNotUsable"
	// ReasonEndpointRefused: spec.url or spec.tokenURL leads where the
	// manager does not go (a redirect to another host, a loopback,
	// link-local or unspecified address), or answered more than any real
	// answer holds (docs/security.md, "Endpoints").
	ReasonEndpointRefused = "EndpointRefused"
	// ReasonCAExpiring is the reason of a Warning event (not a condition):
	// a CA certificate the issuer's template signs under expires within 30
	// days, or has expired.
	ReasonCAExpiring = "CAExpiring"
	// ReasonUnreachable: the PCA API or the token endpoint did not answer
	// or answered with a server error; retried.
	ReasonUnreachable = "Unreachable"
)

// Issuer is what PCAIssuer and PCAClusterIssuer share, so that one
// reconciler serves both kinds.
// +kubebuilder:object:generate=false
type Issuer interface {
	metav1.Object
	// GetSpec returns the shared spec.
	GetSpec() *PCAIssuerSpec
	// GetStatus returns the status, to read and change.
	GetStatus() *PCAIssuerStatus
}

// ReadyCondition returns the Ready condition, or nil when unset.
func (s *PCAIssuerStatus) ReadyCondition() *metav1.Condition {
	return meta.FindStatusCondition(s.Conditions, ConditionReady)
}

// IsReady reports whether Ready is True for the given generation: a Ready
// condition observed for an older spec does not count.
func (s *PCAIssuerStatus) IsReady(generation int64) bool {
	c := s.ReadyCondition()
	return c != nil && c.Status == metav1.ConditionTrue && c.ObservedGeneration == generation
}
