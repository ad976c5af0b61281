// expfmt_bench: a same-run peer for Siskin's parser figures. Parses a dump
// with prometheus/common's expfmt TextParser (what many Go exporters and
// tools use) N times and prints the median time and throughput.
//
// Built in GOPATH mode against Debian's golang-github-prometheus-common-dev:
//   GO111MODULE=off GOPATH=/usr/share/gocode go run scripts/peer/expfmt_bench.go FILE [N]
package main

import (
	"bytes"
	"fmt"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/prometheus/common/expfmt"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: expfmt_bench FILE [N]")
		os.Exit(2)
	}
	body, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	n := 10
	if len(os.Args) > 2 {
		n, _ = strconv.Atoi(os.Args[2])
	}
	durations := make([]time.Duration, 0, n)
	series := 0
	for i := 0; i < n; i++ {
		var parser expfmt.TextParser
		start := time.Now()
		families, err := parser.TextToMetricFamilies(bytes.NewReader(body))
		elapsed := time.Since(start)
		if err != nil {
			fmt.Fprintln(os.Stderr, "parse error:", err)
			os.Exit(1)
		}
		series = 0
		for _, f := range families {
			series += len(f.Metric)
		}
		durations = append(durations, elapsed)
	}
	sort.Slice(durations, func(a, b int) bool { return durations[a] < durations[b] })
	median := durations[len(durations)/2]
	fmt.Printf("expfmt TextParser: %d bytes, %d metrics, median %.3f ms over %d runs, %.1f MB/s\n",
		len(body), series, float64(median.Microseconds())/1000, n, float64(len(body))/median.Seconds()/1e6)
}
