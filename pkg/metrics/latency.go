package metrics

import (
	"slices"
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
)

// defaultLatencyWindow is response-latency's window, in minutes, when
// the query sets none.
const defaultLatencyWindow = 60

// responseLatency is metrics.md §4: minutes from detection to the
// acknowledgement, for acknowledgements inside the window.
func responseLatency(in input, m *Metric) {
	w := in.opts.window(defaultLatencyWindow)
	after := in.now.Add(-time.Duration(w) * time.Minute)

	mins := make([]float64, 0, in.t.AckCount(after, in.now))
	var means, sevSum, sevN [event.NumSeverities]float64
	total := 0.0
	for a := range in.t.Acks(after, in.now) {
		if !a.Alert.In(in.f) {
			continue
		}
		v := a.Latency.Minutes()
		mins = append(mins, v)
		total += v
		s := a.Alert.Severity()
		sevSum[s] += v
		sevN[s]++
	}
	for s := range means {
		if sevN[s] > 0 {
			means[s] = sevSum[s] / sevN[s]
		}
	}
	n := len(mins)
	slices.Sort(mins)

	if n > 0 {
		m.Value = total / float64(n)
	}
	m.Breakdown["bySeverity"] = bySeverity(means)
	m.Breakdown["percentiles"] = map[string]float64{
		"p50": nearestRank(mins, 50),
		"p90": nearestRank(mins, 90),
		"p99": nearestRank(mins, 99),
	}
	m.Breakdown["count"] = float64(n)
	m.WindowMinutes = intPtr(w)
	m.Metadata.SampleSize = n
}

// nearestRank returns the p-th percentile of sorted by the nearest-rank
// method, the ceil(p/100 * n)-th smallest, in integer arithmetic so that
// p*n/100 is exact; 0 when sorted is empty.
func nearestRank(sorted []float64, p int) float64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := (p*n + 99) / 100
	return sorted[max(rank, 1)-1]
}
