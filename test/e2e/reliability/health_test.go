package reliability

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/emulator"
	"github.com/nhnpca/pca-issuer/test/harness"
)

// TestAccessKeyRevocation: revoking the access key in the PCA makes the
// issuer not Ready within the health-check interval, without any Secret
// change; restoring the key brings it back.
func TestAccessKeyRevocation(t *testing.T) {
	noFaults(t)
	ns := setup(t)
	iss := &v1alpha1.PCAIssuer{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "pca"}}
	key := emulator.AccessKey{ID: harness.AccessKeyID, Secret: harness.SecretAccessKey, Role: emulator.RoleAdmin}
	h.Emulator.RemoveAccessKey(key.ID)
	t.Cleanup(func() { h.Emulator.SetAccessKey(key) })
	// The interval is 2 s: allow a few.
	if err := h.WaitFor(t.Context(), iss, 10*managerOptions.IssuerHealthCheckInterval, "not Ready: CredentialsRejected", func() bool {
		c := iss.Status.ReadyCondition()
		return c != nil && c.Status == metav1.ConditionFalse && c.Reason == v1alpha1.ReasonCredentialsRejected
	}); err != nil {
		t.Fatal(err)
	}
	h.Emulator.SetAccessKey(key)
	if err := h.WaitFor(t.Context(), iss, harness.WaitTimeout, "Ready again", func() bool { return iss.Status.IsReady(iss.Generation) }); err != nil {
		t.Fatal(err)
	}
}
