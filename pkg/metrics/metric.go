package metrics

import (
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
)

// Metric is one computed metric, the metric document of metrics.md.
type Metric struct {
	MetricID string   `json:"metricId"`
	Category Category `json:"category"`
	Name     string   `json:"name"`
	Value    float64  `json:"value"`
	Unit     string   `json:"unit"`

	// Breakdown maps each breakdown key of the category to a
	// map[string]float64 (byOperator, bySeverity, ...), a float64 (count,
	// previous, current) or a []float64 (perMinute).
	Breakdown map[string]any `json:"breakdown"`

	// Trend is set for the categories that have one.
	Trend *Trend `json:"trend,omitempty"`
	// WindowMinutes is set for the categories that have a window.
	WindowMinutes *int `json:"windowMinutes,omitempty"`

	// ComputedAt is the evaluation time, a whole second in UTC.
	ComputedAt time.Time `json:"computedAt"`
	// ValidUntil is ComputedAt plus the category's validity.
	ValidUntil time.Time `json:"validUntil"`

	Metadata Metadata `json:"metadata"`
}

// Trend is a metric's direction of change.
type Trend struct {
	// Direction is "increasing", "decreasing" or "stable".
	Direction string `json:"direction"`
	// ChangeRate is the change in percent, as each category defines it.
	ChangeRate float64 `json:"changeRate"`
}

// Metadata says how much data a metric rests on.
type Metadata struct {
	SampleSize int `json:"sampleSize"`
	// ConfidenceLevel is "none", "low", "medium" or "high".
	ConfidenceLevel string `json:"confidenceLevel"`
}

// Operators returns the metric's byOperator breakdown, the operator-keyed
// data the visibility filter trims (deleting from it changes the
// metric), and nil when the category has none.
func (m *Metric) Operators() map[string]float64 {
	ops, _ := m.Breakdown["byOperator"].(map[string]float64)
	return ops
}

// confidence maps a sample size to its confidence level.
func confidence(n int) string {
	switch {
	case n <= 0:
		return "none"
	case n < 10:
		return "low"
	case n < 30:
		return "medium"
	}
	return "high"
}

// newTrend returns the trend of a change rate: beyond ±10 percent it
// increases or decreases, otherwise (±10 included) it is stable.
func newTrend(rate float64) *Trend {
	dir := "stable"
	switch {
	case rate > 10:
		dir = "increasing"
	case rate < -10:
		dir = "decreasing"
	}
	return &Trend{Direction: dir, ChangeRate: rate}
}

// changeRate is (cur - prev) / prev in percent; from zero it is 0 when
// nothing changed, else 100.
func changeRate(cur, prev float64) float64 {
	if prev == 0 {
		if cur == 0 {
			return 0
		}
		return 100
	}
	return (cur - prev) / prev * 100
}

// bySeverity returns a severity breakdown with all four keys.
func bySeverity(v [event.NumSeverities]float64) map[string]float64 {
	m := make(map[string]float64, event.NumSeverities)
	for _, s := range event.Severities {
		m[s.String()] = v[s]
	}
	return m
}

// keyed returns a breakdown with every key of keys, zero where v has
// none.
func keyed(keys []string, v []float64) map[string]float64 {
	m := make(map[string]float64, len(keys))
	for i, k := range keys {
		m[k] = v[i]
	}
	return m
}

// intPtr returns a pointer to n, for WindowMinutes.
func intPtr(n int) *int { return &n }
