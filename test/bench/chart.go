package main

import (
	"fmt"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// writeChart draws, for each run, the cumulative distribution of its
// creation-to-Ready latencies (x: seconds; y: fraction of Certificates
// Ready by then) into dir/latency.png, and returns the path.
func writeChart(dir string, runs []runResult) (string, error) {
	p := plot.New()
	p.Title.Text = "Certificate creation to Ready"
	p.X.Label.Text = "latency (s)"
	p.Y.Label.Text = "fraction of certificates Ready"
	p.Y.Min, p.Y.Max = 0, 1
	p.Legend.Top = false
	p.Legend.Left = false
	p.Add(plotter.NewGrid())
	var lines []any
	for _, run := range runs {
		if len(run.LatenciesSeconds) == 0 {
			continue
		}
		lines = append(lines, fmt.Sprintf("%s: %.1f/s", run.Name, run.Throughput), cdf(run.LatenciesSeconds))
	}
	if len(lines) == 0 {
		return "", fmt.Errorf("no run has latencies to draw")
	}
	if err := plotutil.AddLines(p, lines...); err != nil {
		return "", err
	}
	path := filepath.Join(dir, "latency.png")
	return path, p.Save(9*vg.Inch, 5*vg.Inch, path)
}

// cdf returns the empirical distribution of sorted latencies as points
// (latency, fraction at or below it), starting at (0, 0).
func cdf(sorted []float64) plotter.XYs {
	pts := make(plotter.XYs, 0, len(sorted)+1)
	pts = append(pts, plotter.XY{})
	n := float64(len(sorted))
	for i, v := range sorted {
		pts = append(pts, plotter.XY{X: v, Y: float64(i+1) / n})
	}
	return pts
}
