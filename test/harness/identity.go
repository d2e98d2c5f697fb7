package harness

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// The release the harness renders the chart as: a user's
// `helm install pca-issuer charts/pca-issuer --namespace pca-issuer`.
const (
	// ChartRelease is the Helm release name; the chart names its
	// ServiceAccount and roles after it.
	ChartRelease = "pca-issuer"
	// ChartNamespace is the release namespace, home of the ServiceAccount
	// and, by the chart's default, of the leader election Lease.
	ChartNamespace = "pca-issuer"
)

// TokenLifetime is how long the tokens the harness requests for the
// chart's ServiceAccount are valid: longer than any test or benchmark run.
const TokenLifetime = 24 * time.Hour

// ChartIdentity is the chart's ServiceAccount as applied to the test API
// server, with a bearer token of it: everything a pod of the chart's
// Deployment finds in /var/run/secrets/kubernetes.io/serviceaccount, plus
// the API server's address.
type ChartIdentity struct {
	// Namespace is the release namespace, the ServiceAccount's.
	Namespace string
	// ServiceAccount is the ServiceAccount's name.
	ServiceAccount string
	// LeaderElectionNamespace is the namespace of the chart's leader
	// election Role: the only one where the manager may hold its Lease.
	LeaderElectionNamespace string
	// Host is the API server's URL (https://host:port).
	Host string
	// CA is the PEM bundle of the API server's serving CA.
	CA []byte
	// Token is a bearer token of the ServiceAccount (TokenRequest), valid
	// for TokenLifetime from the harness's start.
	Token string
}

// UserName is the user the API server authenticates the token as:
// system:serviceaccount:<namespace>:<name> (Kubernetes' ServiceAccount
// user names).
func (id *ChartIdentity) UserName() string {
	return "system:serviceaccount:" + id.Namespace + ":" + id.ServiceAccount
}

// Config returns a client configuration that authenticates with the token
// only (no client certificate) and trusts CA, as in-cluster configuration
// does.
func (id *ChartIdentity) Config() *rest.Config {
	return &rest.Config{
		Host:            id.Host,
		BearerToken:     id.Token,
		TLSClientConfig: rest.TLSClientConfig{CAData: id.CA},
	}
}

// WriteKubeconfig writes a kubeconfig file for Config to path (mode 0600),
// for a manager run as a process with --kubeconfig.
func (id *ChartIdentity) WriteKubeconfig(path string) error {
	const name = "chart"
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[name] = &clientcmdapi.Cluster{Server: id.Host, CertificateAuthorityData: id.CA}
	cfg.AuthInfos[name] = &clientcmdapi.AuthInfo{Token: id.Token}
	cfg.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name, Namespace: id.Namespace}
	cfg.CurrentContext = name
	return clientcmd.WriteToFile(*cfg, path)
}

// WriteServiceAccountFiles writes the files Kubernetes mounts into a pod
// at /var/run/secrets/kubernetes.io/serviceaccount: token, ca.crt and
// namespace, into dir (created if missing).
func (id *ChartIdentity) WriteServiceAccountFiles(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := map[string][]byte{"token": []byte(id.Token), "ca.crt": id.CA, "namespace": []byte(id.Namespace)}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// ChartToken requests a new token of the chart's ServiceAccount, valid for
// lifetime, with the API server's default audience. Errors are the API
// server's.
func (h *Harness) ChartToken(ctx context.Context, lifetime time.Duration) (string, error) {
	cs, err := kubernetes.NewForConfig(h.Config)
	if err != nil {
		return "", err
	}
	seconds := int64(lifetime / time.Second)
	tr, err := cs.CoreV1().ServiceAccounts(h.Identity.Namespace).CreateToken(ctx, h.Identity.ServiceAccount,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &seconds}}, metav1.CreateOptions{})
	if err != nil {
		return "", fmt.Errorf("harness: token of ServiceAccount %s/%s: %w", h.Identity.Namespace, h.Identity.ServiceAccount, err)
	}
	return tr.Status.Token, nil
}
