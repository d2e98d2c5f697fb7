package container

import (
	"context"
	"fmt"

	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// serviceAccountFiles are the files kubelet mounts at
// /var/run/secrets/kubernetes.io/serviceaccount.
type serviceAccountFiles struct {
	token, caCert, namespace []byte
}

// chartIdentity applies the chart's ServiceAccount and RBAC to the API
// server and returns what kubelet would mount into the manager's pod: a
// token of that ServiceAccount (TokenRequest), the API server's CA and the
// release namespace.
func chartIdentity(ctx context.Context, rc *renderedChart) (*serviceAccountFiles, error) {
	if err := h.CreateNamespace(ctx, releaseNamespace); err != nil {
		return nil, err
	}
	for _, obj := range rc.ofKinds("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding") {
		if ns := obj.GetNamespace(); ns != "" {
			if err := h.CreateNamespace(ctx, ns); err != nil {
				return nil, err
			}
		}
		if err := client.IgnoreAlreadyExists(h.Client.Create(ctx, obj.DeepCopy())); err != nil {
			return nil, fmt.Errorf("applying the chart's %s %s: %w", obj.GetKind(), obj.GetName(), err)
		}
	}
	sa := rc.deployment.Spec.Template.Spec.ServiceAccountName
	cs, err := kubernetes.NewForConfig(h.Config)
	if err != nil {
		return nil, err
	}
	expiry := int64(3600)
	tr, err := cs.CoreV1().ServiceAccounts(releaseNamespace).CreateToken(ctx, sa,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &expiry}}, metav1.CreateOptions{})
	if err != nil {
		return nil, fmt.Errorf("a token of the chart's ServiceAccount %s/%s: %w", releaseNamespace, sa, err)
	}
	return &serviceAccountFiles{token: []byte(tr.Status.Token), caCert: h.Config.CAData, namespace: []byte(releaseNamespace)}, nil
}
