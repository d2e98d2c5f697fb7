// Module prometheus-operator pins the prometheus-operator release whose
// CRDs (example/prometheus-operator-crd) the chart's monitoring objects are
// checked against in test/install.
module github.com/nhnpca/pca-issuer/hack/tools/prometheus-operator

go 1.26.0

require github.com/prometheus-operator/prometheus-operator v0.85.0
