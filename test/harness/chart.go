package harness

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// identityKinds are the kinds of the rendered chart that make up the
// manager's identity and permissions; the harness applies only these (the
// manager runs in-process, the CRDs come from config/crd).
var identityKinds = []string{"ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"}

// applyChartIdentity renders the chart as release ChartRelease in
// ChartNamespace, with the harness's cluster resource namespace, applies
// its ServiceAccount and RBAC, and requests a token of the ServiceAccount.
func (h *Harness) applyChartIdentity(ctx context.Context, root string) error {
	helm, err := HelmBinary(root)
	if err != nil {
		return err
	}
	out, err := renderChart(helm, root, ChartRelease, ChartNamespace, "clusterResourceNamespace="+h.ClusterResourceNamespace)
	if err != nil {
		return err
	}
	objs, err := decodeObjects(out)
	if err != nil {
		return err
	}
	h.Identity = &ChartIdentity{Host: h.Config.Host, CA: h.Config.CAData}
	for _, obj := range objs {
		if !slices.Contains(identityKinds, obj.GetKind()) {
			continue
		}
		if err := h.noteIdentity(obj); err != nil {
			return err
		}
		if ns := obj.GetNamespace(); ns != "" {
			if err := h.CreateNamespace(ctx, ns); err != nil {
				return err
			}
		}
		if err := h.Client.Create(ctx, obj); err != nil {
			return fmt.Errorf("harness: applying the chart's %s %s: %w", obj.GetKind(), obj.GetName(), err)
		}
	}
	if h.Identity.ServiceAccount == "" {
		return errors.New("harness: the rendered chart has no ServiceAccount")
	}
	if h.Identity.LeaderElectionNamespace == "" {
		return errors.New("harness: the rendered chart has no Role on leases (leader election)")
	}
	if h.Identity.Token, err = h.ChartToken(ctx, TokenLifetime); err != nil {
		return err
	}
	h.ChartKubeconfig = filepath.Join(h.tmp, "chart-kubeconfig")
	return h.Identity.WriteKubeconfig(h.ChartKubeconfig)
}

// noteIdentity records the ServiceAccount's name and namespace and the
// namespace of the Role that grants Leases.
func (h *Harness) noteIdentity(obj *unstructured.Unstructured) error {
	switch obj.GetKind() {
	case "ServiceAccount":
		if h.Identity.ServiceAccount != "" {
			return fmt.Errorf("harness: the rendered chart has two ServiceAccounts: %s and %s", h.Identity.ServiceAccount, obj.GetName())
		}
		h.Identity.ServiceAccount, h.Identity.Namespace = obj.GetName(), obj.GetNamespace()
	case "Role":
		var role rbacv1.Role
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, &role); err != nil {
			return fmt.Errorf("harness: the chart's Role %s: %w", obj.GetName(), err)
		}
		for _, rule := range role.Rules {
			if slices.Contains(rule.Resources, "leases") {
				h.Identity.LeaderElectionNamespace = role.Namespace
			}
		}
	}
	return nil
}

// decodeObjects splits a multi-document YAML stream into objects,
// skipping empty documents (Helm renders disabled templates as such).
func decodeObjects(data []byte) ([]*unstructured.Unstructured, error) {
	reader := utilyaml.NewYAMLReader(bufioReader(data))
	var objs []*unstructured.Unstructured
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, err
		}
		obj := &unstructured.Unstructured{}
		if err := yaml.Unmarshal(doc, &obj.Object); err != nil {
			return nil, fmt.Errorf("harness: decoding the rendered chart: %w", err)
		}
		if len(obj.Object) > 0 {
			objs = append(objs, obj)
		}
	}
}

// bufioReader wraps data for the YAML reader.
func bufioReader(data []byte) *bufio.Reader { return bufio.NewReader(bytes.NewReader(data)) }
