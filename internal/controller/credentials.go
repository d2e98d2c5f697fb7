package controller

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"golang.org/x/time/rate"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
	"github.com/nhnpca/pca-issuer/internal/metrics"
	"github.com/nhnpca/pca-issuer/internal/pca"
)

// apiTimeout bounds one PCA call, token fetch included.
const apiTimeout = 30 * time.Second

// issuerConfigError is an issuer setting a user must fix: a missing or
// incomplete Secret, or a caBundle with no certificate. Reason is one of the
// issuer Ready reasons of api/v1alpha1.
type issuerConfigError struct {
	Reason  string
	Message string
}

func (e *issuerConfigError) Error() string { return e.Message }

// clientKey identifies the inputs a PCA client was built from: a change of
// the issuer's spec or of its Secret builds a new client (and so a new
// token).
type clientKey struct {
	uid        types.UID
	generation int64
	secretRV   string
}

// clients builds PCA clients for issuers and keeps one per issuer, so that
// every request of an issuer shares its token. Secrets are watched as
// metadata only (reader); a Secret's data is read past the cache
// (apiReader) only when its resourceVersion changed, so the manager keeps
// no Secret data in memory.
type clients struct {
	reader                   client.Reader
	apiReader                client.Reader
	clusterResourceNamespace string
	userAgent                string
	endpoints                endpointPolicy

	mu    sync.Mutex
	byKey map[types.NamespacedName]cachedClient
}

type cachedClient struct {
	key    clientKey
	client *pca.Client
}

func newClients(reader, apiReader client.Reader, clusterResourceNamespace, userAgent string, endpoints endpointPolicy) *clients {
	return &clients{reader: reader, apiReader: apiReader, clusterResourceNamespace: clusterResourceNamespace, userAgent: userAgent, endpoints: endpoints, byKey: map[types.NamespacedName]cachedClient{}}
}

// secretNamespace is where the issuer's Secret must be: its own namespace,
// or the cluster resource namespace for a PCAClusterIssuer.
func (c *clients) secretNamespace(iss v1alpha1.Issuer) string {
	if iss.GetNamespace() == "" {
		return c.clusterResourceNamespace
	}
	return iss.GetNamespace()
}

// For returns the PCA client of iss, reading its Secret. It returns an
// *issuerConfigError when the Secret or the caBundle needs fixing, or the
// error of the API server read.
func (c *clients) For(ctx context.Context, iss v1alpha1.Issuer) (*pca.Client, error) {
	spec := iss.GetSpec()
	ns := c.secretNamespace(iss)
	key := types.NamespacedName{Namespace: ns, Name: spec.CredentialsRef.Name}
	secretMeta := &metav1.PartialObjectMetadata{}
	secretMeta.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	err := c.reader.Get(ctx, key, secretMeta)
	if apierrors.IsNotFound(err) {
		return nil, &issuerConfigError{Reason: v1alpha1.ReasonSecretNotFound, Message: fmt.Sprintf(
			"Secret %s/%s not found: create it with keys %s, %s and %s", ns, spec.CredentialsRef.Name,
			v1alpha1.SecretKeyAppKey, v1alpha1.SecretKeyAccessKeyID, v1alpha1.SecretKeySecretAccessKey)}
	}
	if err != nil {
		return nil, fmt.Errorf("reading Secret %s/%s: %w", ns, spec.CredentialsRef.Name, err)
	}
	ck := clientKey{uid: iss.GetUID(), generation: iss.GetGeneration(), secretRV: secretMeta.ResourceVersion}
	c.mu.Lock()
	cached, ok := c.byKey[issuerKey(iss)]
	c.mu.Unlock()
	if ok && cached.key == ck {
		return cached.client, nil
	}
	var secret corev1.Secret
	if err := c.apiReader.Get(ctx, key, &secret); err != nil {
		return nil, fmt.Errorf("reading Secret %s/%s: %w", ns, spec.CredentialsRef.Name, err)
	}
	ck.secretRV = secret.ResourceVersion
	if err := checkSecretPin(&secret, iss); err != nil {
		return nil, err
	}
	pc, err := c.build(spec, &secret)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.byKey[issuerKey(iss)] = cachedClient{key: ck, client: pc}
	c.mu.Unlock()
	return pc, nil
}

// Forget drops the client of a deleted issuer.
func (c *clients) Forget(key types.NamespacedName) {
	c.mu.Lock()
	delete(c.byKey, key)
	c.mu.Unlock()
}

// issuerKey names an issuer in the caches: namespace/name, with an empty
// namespace for a PCAClusterIssuer. The UID is checked apart, so that a
// re-created issuer does not inherit the old one's client or templates.
func issuerKey(iss v1alpha1.Issuer) types.NamespacedName {
	return types.NamespacedName{Namespace: iss.GetNamespace(), Name: iss.GetName()}
}

// build makes a PCA client from the spec and the Secret's three keys.
func (c *clients) build(spec *v1alpha1.PCAIssuerSpec, secret *corev1.Secret) (*pca.Client, error) {
	values := map[string]string{}
	var missing []string
	for _, k := range []string{v1alpha1.SecretKeyAppKey, v1alpha1.SecretKeyAccessKeyID, v1alpha1.SecretKeySecretAccessKey} {
		v := strings.TrimSpace(string(secret.Data[k]))
		if v == "" {
			missing = append(missing, k)
		}
		values[k] = v
	}
	if len(missing) > 0 {
		return nil, &issuerConfigError{Reason: v1alpha1.ReasonSecretInvalid, Message: fmt.Sprintf(
			"Secret %s/%s lacks %s: add the missing keys", secret.Namespace, secret.Name, strings.Join(missing, ", "))}
	}
	httpClient, err := c.endpoints.httpClient(spec.CABundle)
	if err != nil {
		return nil, err
	}
	pc, err := pca.New(pca.Config{
		URL:             orDefault(spec.URL, v1alpha1.DefaultURL),
		TokenURL:        orDefault(spec.TokenURL, v1alpha1.DefaultTokenURL),
		AppKey:          values[v1alpha1.SecretKeyAppKey],
		AccessKeyID:     values[v1alpha1.SecretKeyAccessKeyID],
		SecretAccessKey: values[v1alpha1.SecretKeySecretAccessKey],
		HTTPClient:      httpClient,
		UserAgent:       c.userAgent,
		AllowHTTP:       c.endpoints.allowHTTP,
		Limiter:         limiterFor(spec.RateLimit),
		Observe:         metrics.ObserveAPICall,
		OnTokenRefresh:  metrics.ObserveTokenRefresh,
	})
	if err != nil {
		return nil, &issuerConfigError{Reason: v1alpha1.ReasonSpecInvalid, Message: fmt.Sprintf("%v: fix spec.url and spec.tokenURL", err)}
	}
	return pc, nil
}

// limiterFor returns the token bucket all PCA calls of one issuer share:
// spec.rateLimit, or 10 calls/s with bursts of 20.
func limiterFor(rl *v1alpha1.RateLimit) *rate.Limiter {
	rps, burst := int32(v1alpha1.DefaultRequestsPerSecond), int32(v1alpha1.DefaultBurst)
	if rl != nil && rl.RequestsPerSecond > 0 {
		rps = rl.RequestsPerSecond
	}
	if rl != nil && rl.Burst > 0 {
		burst = rl.Burst
	}
	return rate.NewLimiter(rate.Limit(rps), int(burst))
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
