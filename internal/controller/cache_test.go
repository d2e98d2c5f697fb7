package controller

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestCachedSecretsLoseAnnotationsAndManagedFields(t *testing.T) {
	m := secretMetadata()
	m.Name, m.Namespace, m.ResourceVersion = "creds", "team-a", "42"
	m.Labels = map[string]string{"app": "web"}
	m.Annotations = map[string]string{"kubectl.kubernetes.io/last-applied-configuration": `{"data":{"secretAccessKey":"c2VjcmV0"}}`}
	m.ManagedFields = []metav1.ManagedFieldsEntry{{Manager: "kubectl"}}
	found := false
	for obj, byObject := range CacheOptions().ByObject {
		if pom, ok := obj.(*metav1.PartialObjectMetadata); ok && pom.Kind == "Secret" && byObject.Transform != nil {
			found = true
		}
	}
	if !found {
		t.Fatal("the cache has no transform for Secret metadata")
	}
	got, err := stripSecretMetadata(m)
	if err != nil {
		t.Fatal(err)
	}
	s := got.(*metav1.PartialObjectMetadata)
	if s.Annotations != nil || s.ManagedFields != nil {
		t.Errorf("annotations %v and managedFields %v kept", s.Annotations, s.ManagedFields)
	}
	if s.Name != "creds" || s.ResourceVersion != "42" || s.Labels["app"] != "web" {
		t.Errorf("metadata the reconcilers read was lost: %+v", s.ObjectMeta)
	}
}
