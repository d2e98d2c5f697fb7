package controller

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

// clusterTrustBundleSuffix ends the name of an issuer's ClusterTrustBundle:
// the API server requires the signer name, '/' turned into ':', and ':'
// as its prefix.
const clusterTrustBundleSuffix = "ca"

// clusterTrustBundleVersions are the certificates.k8s.io versions that
// serve ClusterTrustBundles, newest first (v1 from Kubernetes 1.37,
// v1beta1 from 1.33 behind the ClusterTrustBundle feature gate).
var clusterTrustBundleVersions = []string{"v1", "v1beta1"}

// clusterTrustBundleName is the name of the ClusterTrustBundle of a signer.
func clusterTrustBundleName(signerName string) string {
	return strings.ReplaceAll(signerName, "/", ":") + ":" + clusterTrustBundleSuffix
}

// discoveryTimeout bounds one discovery call.
const discoveryTimeout = 30 * time.Second

// groupVersionResources is the discovery call ctbDiscovery makes;
// discovery.DiscoveryClient implements it.
type groupVersionResources interface {
	ServerResourcesForGroupVersionWithContext(ctx context.Context, groupVersion string) (*metav1.APIResourceList, error)
}

// ctbDiscovery tells which certificates.k8s.io version serves
// ClusterTrustBundles, asking the API server's discovery at most once per
// interval; "" when none does (then bundles go to ConfigMaps only, said
// once in the log). A discovery call that fails otherwise than "not
// served" keeps the last answer and is asked again next time.
type ctbDiscovery struct {
	client   groupVersionResources
	interval time.Duration

	mu      sync.Mutex
	version string
	checked time.Time
	logged  bool
}

func (d *ctbDiscovery) served(ctx context.Context, now time.Time) string {
	if d == nil || d.client == nil {
		return ""
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.checked.IsZero() && now.Sub(d.checked) < d.interval {
		return d.version
	}
	ctx, cancel := context.WithTimeout(ctx, discoveryTimeout)
	defer cancel()
	version := ""
	for _, v := range clusterTrustBundleVersions {
		list, err := d.client.ServerResourcesForGroupVersionWithContext(ctx, "certificates.k8s.io/"+v)
		if apierrors.IsNotFound(err) {
			continue // this version is not served
		}
		if err != nil {
			ctrl.LoggerFrom(ctx).Info("discovery of ClusterTrustBundles failed; asking again at the next check", "error", err.Error())
			return d.version
		}
		if slices.ContainsFunc(list.APIResources, func(r metav1.APIResource) bool { return r.Name == "clustertrustbundles" }) {
			version = v
			break
		}
	}
	d.checked, d.version = now, version
	if version == "" && !d.logged {
		d.logged = true
		ctrl.LoggerFrom(ctx).Info("the API server serves no certificates.k8s.io ClusterTrustBundles: trust bundles are published in ConfigMaps only")
	}
	return version
}

// clusterTrustBundleTarget publishes a bundle in the ClusterTrustBundle
// linked to the issuer's signer name, for pods to project
// (docs/trust-bundle.md). It is written as unstructured so that one code
// path serves v1 and v1beta1, whose spec is the same. A PCAClusterIssuer
// owns its bundle (the garbage collector deletes it with the issuer); a
// namespaced PCAIssuer cannot own a cluster-scoped object, so its bundle
// is deleted when the manager sees the issuer gone.
type clusterTrustBundleTarget struct {
	c          client.Client
	apiReader  client.Reader
	iss        issuerObject
	kind       string
	version    string
	signerName string
	existing   *unstructured.Unstructured
}

func (t *clusterTrustBundleTarget) name() string { return clusterTrustBundleName(t.signerName) }

func (t *clusterTrustBundleTarget) String() string { return "ClusterTrustBundle " + t.name() }

func (t *clusterTrustBundleTarget) object() *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion("certificates.k8s.io/" + t.version)
	u.SetKind("ClusterTrustBundle")
	u.SetName(t.name())
	return u
}

func (t *clusterTrustBundleTarget) load(ctx context.Context) (*publishedBundle, error) {
	u := t.object()
	err := t.apiReader.Get(ctx, client.ObjectKey{Name: t.name()}, u)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading ClusterTrustBundle %s: %w", t.name(), err)
	}
	if !ownsClusterTrustBundle(u, t.kind, t.iss.GetName()) {
		return nil, &bundleConflict{what: "ClusterTrustBundle " + t.name()}
	}
	t.existing = u
	pemBundle, _, _ := unstructured.NestedString(u.Object, "spec", "trustBundle")
	return &publishedBundle{certs: decodeBundle(pemBundle), retired: decodeRetired(u.GetAnnotations()[v1alpha1.AnnotationRetiredCAs])}, nil
}

func (t *clusterTrustBundleTarget) store(ctx context.Context, pemBundle string, retired map[string]time.Time) (client.Object, error) {
	u := t.object()
	if t.existing != nil {
		u = t.existing.DeepCopy()
	}
	labels := withLabels(u.GetLabels(), bundleLabels(t.kind, t.iss.GetName()))
	annotations := withAnnotation(u.GetAnnotations(), v1alpha1.AnnotationRetiredCAs, encodeRetired(retired))
	owners := u.GetOwnerReferences()
	if t.kind == kindClusterIssuer {
		owners = withOwner(owners, bundleOwnerReference(t.iss, t.kind))
	}
	if t.existing != nil {
		oldPEM, _, _ := unstructured.NestedString(u.Object, "spec", "trustBundle")
		oldSigner, _, _ := unstructured.NestedString(u.Object, "spec", "signerName")
		if oldPEM == pemBundle && oldSigner == t.signerName && maps.Equal(labels, u.GetLabels()) &&
			maps.Equal(annotations, u.GetAnnotations()) && sameOwners(owners, u.GetOwnerReferences()) {
			return nil, nil
		}
	}
	u.SetLabels(labels)
	u.SetAnnotations(annotations)
	u.SetOwnerReferences(owners)
	if err := unstructured.SetNestedField(u.Object, t.signerName, "spec", "signerName"); err != nil {
		return nil, err
	}
	if err := unstructured.SetNestedField(u.Object, pemBundle, "spec", "trustBundle"); err != nil {
		return nil, err
	}
	if t.existing == nil {
		if err := t.c.Create(ctx, u); err != nil {
			return nil, fmt.Errorf("creating ClusterTrustBundle %s: %w", t.name(), err)
		}
		return u, nil
	}
	if err := t.c.Update(ctx, u); err != nil {
		return nil, fmt.Errorf("updating ClusterTrustBundle %s: %w", t.name(), err)
	}
	return u, nil
}

// nameProblem says why the ClusterTrustBundle cannot be named for the
// signer ("" when it can): the name is the signer name with '/' as ':',
// and the suffix, at most 253 characters of a DNS subdomain.
func (t *clusterTrustBundleTarget) nameProblem() string {
	if msgs := validation.IsDNS1123Subdomain(strings.ReplaceAll(t.name(), ":", ".")); len(msgs) > 0 {
		return fmt.Sprintf("the ClusterTrustBundle of signer %s cannot be named %q (%s): shorten the issuer's name", t.signerName, t.name(), strings.Join(msgs, "; "))
	}
	return ""
}

// deleteClusterTrustBundle deletes the issuer's ClusterTrustBundle, when
// it exists and is the issuer's.
func deleteClusterTrustBundle(ctx context.Context, c client.Client, apiReader client.Reader, version, kind string, iss client.Object) error {
	t := &clusterTrustBundleTarget{version: version, kind: kind, signerName: signerNameOf(kind, iss)}
	u := t.object()
	if err := apiReader.Get(ctx, client.ObjectKey{Name: t.name()}, u); err != nil {
		return client.IgnoreNotFound(err)
	}
	if !ownsClusterTrustBundle(u, kind, iss.GetName()) {
		return nil
	}
	uid := u.GetUID()
	return client.IgnoreNotFound(c.Delete(ctx, u, client.Preconditions{UID: &uid}))
}

// ownsClusterTrustBundle reports whether a ClusterTrustBundle of the
// issuer's name is the issuer's: as ownsBundleObject, or, for an issuer
// whose name cannot be a label value and which cannot own it (a PCAIssuer),
// labelled as a trust bundle of its kind without a name label: its name,
// derived from the signer name, names the issuer then.
func ownsClusterTrustBundle(obj client.Object, kind, name string) bool {
	if ownsBundleObject(obj, kind, name) {
		return true
	}
	l := obj.GetLabels()
	_, named := l[v1alpha1.LabelIssuerName]
	return len(validation.IsValidLabelValue(name)) > 0 && !named &&
		l[v1alpha1.LabelTrustBundle] == "true" && l[v1alpha1.LabelIssuerKind] == kind
}

// issuerStub stands for an issuer that is gone: its namespace and name.
func issuerStub(namespace, name string) client.Object {
	return &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}}
}
