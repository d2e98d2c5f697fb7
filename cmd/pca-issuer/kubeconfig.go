package main

import (
	"errors"
	"fmt"
	"os"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// errNoCluster says in one line how to point the manager at a cluster.
var errNoCluster = errors.New("no cluster to connect to: pass --kubeconfig FILE, set KUBECONFIG, or run it in a cluster (in-cluster service account)")

// restConfig finds the cluster the way controller-runtime's GetConfig does
// (--kubeconfig, then the in-cluster service account unless KUBECONFIG is
// set, then KUBECONFIG or ~/.kube/config), but answers errNoCluster when
// none is found, without logging. The client-side rate limiter is off
// (QPS -1), as controller-runtime sets it: the API server's priority and
// fairness applies.
func restConfig(kubeconfig string) (*rest.Config, error) {
	var cfg *rest.Config
	var err error
	switch {
	case kubeconfig != "":
		cfg, err = clientcmd.BuildConfigFromFlags("", kubeconfig)
		if err != nil {
			return nil, fmt.Errorf("--kubeconfig %s: %w", kubeconfig, err)
		}
	default:
		if os.Getenv(clientcmd.RecommendedConfigPathEnvVar) == "" {
			if cfg, err = rest.InClusterConfig(); err == nil {
				break
			}
		}
		rules := clientcmd.NewDefaultClientConfigLoadingRules()
		cfg, err = clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{}).ClientConfig()
		if env := os.Getenv(clientcmd.RecommendedConfigPathEnvVar); clientcmd.IsEmptyConfig(err) && env != "" {
			return nil, fmt.Errorf("KUBECONFIG=%s names no cluster: point it at a kubeconfig file, or pass --kubeconfig FILE", env)
		}
		if clientcmd.IsEmptyConfig(err) {
			return nil, errNoCluster
		}
		if err != nil {
			return nil, fmt.Errorf("loading the kubeconfig: %w", err)
		}
	}
	if cfg.QPS == 0 {
		cfg.QPS = -1
	}
	return cfg, nil
}
