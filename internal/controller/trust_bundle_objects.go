package controller

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"maps"
	"slices"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/nhnpca/pca-issuer/api/v1alpha1"
)

// bundleLabels are the labels of every object an issuer publishes its
// trust bundle in: selectable by a trust-manager Bundle or a pod's
// clusterTrustBundle projection, and naming the issuer.
func bundleLabels(kind, name string) map[string]string {
	l := map[string]string{v1alpha1.LabelTrustBundle: "true", v1alpha1.LabelIssuerKind: kind}
	if len(validation.IsValidLabelValue(name)) == 0 {
		l[v1alpha1.LabelIssuerName] = name
	}
	return l
}

// bundleOwnerReference is the controller owner reference of a published
// object to its issuer. Kubernetes allows a cluster-scoped owner
// (PCAClusterIssuer) for a namespaced object, so the garbage collector
// deletes the ConfigMap of either kind with its issuer. BlockOwnerDeletion
// stays unset: setting it needs update on the issuer's finalizers.
func bundleOwnerReference(iss issuerObject, kind string) metav1.OwnerReference {
	controller := true
	return metav1.OwnerReference{APIVersion: v1alpha1.GroupVersion.String(), Kind: kind, Name: iss.GetName(), UID: iss.GetUID(), Controller: &controller}
}

// ownsBundleObject reports whether obj is the issuer's (kind, name)
// published bundle: labelled as a trust bundle of that kind, and naming
// the issuer by owner reference or by label. Another object of that name
// is never written over.
func ownsBundleObject(obj client.Object, kind, name string) bool {
	l := obj.GetLabels()
	if l[v1alpha1.LabelTrustBundle] != "true" || l[v1alpha1.LabelIssuerKind] != kind {
		return false
	}
	if l[v1alpha1.LabelIssuerName] == name {
		return true
	}
	for _, ref := range obj.GetOwnerReferences() {
		if ref.Kind == kind && ref.Name == name && groupOf(ref.APIVersion) == v1alpha1.GroupVersion.Group {
			return true
		}
	}
	return false
}

func groupOf(apiVersion string) string {
	group, _, found := strings.Cut(apiVersion, "/")
	if !found {
		return "" // the core group
	}
	return group
}

// encodeBundle returns certs as concatenated PEM blocks.
func encodeBundle(certs []*x509.Certificate) string {
	var b bytes.Buffer
	for _, c := range certs {
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.String()
}

// decodeBundle returns the certificates of a published PEM bundle, at
// most maxBundleCertificates; blocks that do not parse are dropped (they
// are written again from the chains).
func decodeBundle(data string) []*x509.Certificate {
	return appendPEMCertificates([]byte(data), nil, maxBundleCertificates)
}

// encodeRetired is the value of v1alpha1.AnnotationRetiredCAs, "" for
// none. Times are UTC, to the second.
func encodeRetired(retired map[string]time.Time) string {
	if len(retired) == 0 {
		return ""
	}
	m := map[string]string{}
	for _, fp := range slices.Sorted(maps.Keys(retired)) {
		m[fp] = retired[fp].UTC().Format(time.RFC3339)
	}
	b, _ := json.Marshal(m) // a map of strings always marshals; keys come out sorted
	return string(b)
}

// decodeRetired parses v1alpha1.AnnotationRetiredCAs; an unreadable value
// or entry is no record (that certificate leaves now, the conservative
// reading of a lost record).
func decodeRetired(value string) map[string]time.Time {
	out := map[string]time.Time{}
	var m map[string]string
	if value == "" || json.Unmarshal([]byte(value), &m) != nil {
		return out
	}
	for fp, v := range m {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			out[fp] = t
		}
	}
	return out
}

// mergeRetired adds the records of b to a, keeping the earlier time of a
// certificate recorded in both.
func mergeRetired(a, b map[string]time.Time) {
	for fp, t := range b {
		if old, ok := a[fp]; !ok || t.Before(old) {
			a[fp] = t
		}
	}
}

// withAnnotation returns annotations with key set to value, or removed
// when value is empty.
func withAnnotation(annotations map[string]string, key, value string) map[string]string {
	out := maps.Clone(annotations)
	if out == nil {
		out = map[string]string{}
	}
	if value == "" {
		delete(out, key)
	} else {
		out[key] = value
	}
	return out
}

// withLabels returns labels with every label of add set.
func withLabels(labels, add map[string]string) map[string]string {
	out := maps.Clone(labels)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, add)
	return out
}

// withOwner returns refs with ref in place of any reference to the same
// kind and name of our group (an issuer re-created under the same name
// takes its bundle over).
func withOwner(refs []metav1.OwnerReference, ref metav1.OwnerReference) []metav1.OwnerReference {
	out := []metav1.OwnerReference{ref}
	for _, r := range refs {
		if r.Kind == ref.Kind && r.Name == ref.Name && groupOf(r.APIVersion) == v1alpha1.GroupVersion.Group {
			continue
		}
		out = append(out, r)
	}
	return out
}
