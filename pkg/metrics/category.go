package metrics

import (
	"fmt"
	"time"
)

// Category is one of the eight metric categories of metrics.md.
type Category uint8

// The metric categories in spec order, the order of a result's metrics
// when a query names none.
const (
	LiveWorkload Category = iota
	ActiveTasks
	SLACountdown
	ResponseLatency
	RemediationTimeline
	CrossEnginePerformance
	WorkloadDelta
	TrendSignal

	// NumCategories is the number of metric categories.
	NumCategories = 8
)

// Categories lists every metric category in spec order.
var Categories = [NumCategories]Category{
	LiveWorkload, ActiveTasks, SLACountdown, ResponseLatency,
	RemediationTimeline, CrossEnginePerformance, WorkloadDelta, TrendSignal,
}

type categoryInfo struct {
	wire       string
	name       string
	unit       string
	validity   time.Duration
	restricted bool
}

var categoryTable = [NumCategories]categoryInfo{
	{"live-workload", "Live workload", "tasks", 60 * time.Second, false},
	{"active-tasks", "Active tasks", "tasks", 30 * time.Second, false},
	{"sla-countdown", "SLA countdown", "timers", 10 * time.Second, false},
	{"response-latency", "Response latency", "minutes", 60 * time.Second, false},
	{"remediation-timeline", "Remediation timeline", "items", 30 * time.Second, false},
	{"cross-engine-performance", "Cross-engine performance", "events/min", 30 * time.Second, true},
	{"workload-delta", "Workload delta", "tasks", 30 * time.Second, true},
	{"trend-signal", "Trend signal", "events/min", 30 * time.Second, true},
}

// String returns the category's wire name, such as "live-workload", or
// "unknown".
func (c Category) String() string {
	if c < NumCategories {
		return categoryTable[c].wire
	}
	return "unknown"
}

// Name returns the metric's display name, such as "Live workload".
func (c Category) Name() string {
	if c < NumCategories {
		return categoryTable[c].name
	}
	return ""
}

// Unit returns the unit of the metric's value.
func (c Category) Unit() string {
	if c < NumCategories {
		return categoryTable[c].unit
	}
	return ""
}

// Validity returns how long after computedAt the metric is valid.
func (c Category) Validity() time.Duration {
	if c < NumCategories {
		return categoryTable[c].validity
	}
	return 0
}

// Restricted reports whether the category needs a permission
// (policy.md, rule 4): cross-engine-performance, workload-delta and
// trend-signal.
func (c Category) Restricted() bool {
	return c < NumCategories && categoryTable[c].restricted
}

// ParseCategory returns the category with wire name s, and false when s
// names none.
func ParseCategory(s string) (Category, bool) {
	for i, info := range categoryTable {
		if info.wire == s {
			return Category(i), true
		}
	}
	return 0, false
}

// MarshalText encodes the category as its wire name.
func (c Category) MarshalText() ([]byte, error) {
	if c >= NumCategories {
		return nil, fmt.Errorf("metrics: no category %d", uint8(c))
	}
	return []byte(c.String()), nil
}

// UnmarshalText decodes a wire name; an unknown name is an error.
func (c *Category) UnmarshalText(b []byte) error {
	v, ok := ParseCategory(string(b))
	if !ok {
		return fmt.Errorf("metrics: unknown category %q", b)
	}
	*c = v
	return nil
}
