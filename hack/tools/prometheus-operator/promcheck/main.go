// Command promcheck checks PromQL the way Prometheus reads it, for the
// chart's tests (test/install): with -rules, each file holds the spec of a
// PrometheusRule (its groups), checked as Prometheus checks a rule file
// (expressions, durations, labels, annotation templates); without it, each
// line of standard input is one PromQL expression. It prints every problem
// and exits 1 when there is one.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"

	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
)

func main() {
	rules := flag.Bool("rules", false, "check the rule files named as arguments instead of expressions on standard input")
	flag.Parse()
	var problems []string
	if *rules {
		for _, file := range flag.Args() {
			data, err := os.ReadFile(file)
			if err != nil {
				problems = append(problems, err.Error())
				continue
			}
			_, errs := rulefmt.Parse(data, false)
			for _, err := range errs {
				problems = append(problems, fmt.Sprintf("%s: %v", file, err))
			}
		}
	} else {
		lines := bufio.NewScanner(os.Stdin)
		lines.Buffer(make([]byte, 64<<10), 1<<20)
		for n := 1; lines.Scan(); n++ {
			if _, err := parser.ParseExpr(lines.Text()); err != nil {
				problems = append(problems, fmt.Sprintf("expression %d %q: %v", n, lines.Text(), err))
			}
		}
		if err := lines.Err(); err != nil {
			problems = append(problems, err.Error())
		}
	}
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, p)
	}
	if len(problems) > 0 {
		os.Exit(1)
	}
}
