package metrics

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// histogramOf returns the duration histogram series of op as collected.
func histogramOf(t *testing.T, op string) *dto.Histogram {
	t.Helper()
	obs, err := apiDuration.GetMetricWithLabelValues(op)
	if err != nil {
		t.Fatal(err)
	}
	var m dto.Metric
	if err := obs.(prometheus.Metric).Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetHistogram()
}

// seriesOf counts the series of c whose issuer label is issuer.
func seriesOf(t *testing.T, c prometheus.Collector, issuer string) int {
	t.Helper()
	ch := make(chan prometheus.Metric)
	go func() {
		c.Collect(ch)
		close(ch)
	}()
	n := 0
	for metric := range ch {
		var m dto.Metric
		if err := metric.Write(&m); err != nil {
			t.Error(err)
			continue
		}
		for _, l := range m.GetLabel() {
			if l.GetName() == "issuer" && l.GetValue() == issuer {
				n++
			}
		}
	}
	return n
}
