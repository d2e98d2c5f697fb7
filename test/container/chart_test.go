//go:build linux

package container

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/nhnpca/pca-issuer/test/harness"
)

// renderedChart is the chart rendered as the harness renders it for the
// manager's identity (release, namespace, cluster resource namespace),
// with the ports set to free ones, as other test packages run beside this
// one.
type renderedChart struct {
	objects    []*unstructured.Unstructured
	deployment *appsv1.Deployment
}

// renderChart runs helm template with the probe and metrics ports set.
func renderChart(probePort, metricsPort int) (*renderedChart, error) {
	cmd := exec.Command(helmBin, "template", harness.ChartRelease, "charts/pca-issuer", "--namespace", harness.ChartNamespace,
		"--set", "clusterResourceNamespace="+h.ClusterResourceNamespace,
		"--set", "healthProbe.port="+strconv.Itoa(probePort), "--set", "metrics.port="+strconv.Itoa(metricsPort),
		// The emulator listens on loopback, which the manager dials only
		// when told, as a user running a local emulator would.
		"--set", "allowedNetworks[0]=127.0.0.0/8")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("helm template: %w\n%s", err, stderr.String())
	}
	rc := &renderedChart{}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(out)))
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		obj := &unstructured.Unstructured{}
		if err := utilyaml.Unmarshal(doc, &obj.Object); err != nil {
			return nil, err
		}
		if len(obj.Object) == 0 {
			continue
		}
		rc.objects = append(rc.objects, obj)
		if obj.GetKind() == "Deployment" {
			rc.deployment = &appsv1.Deployment{}
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, rc.deployment); err != nil {
				return nil, err
			}
		}
	}
	if rc.deployment == nil || len(rc.deployment.Spec.Template.Spec.Containers) != 1 {
		return nil, errors.New("the chart rendered no Deployment with one container")
	}
	return rc, nil
}
