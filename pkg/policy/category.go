package policy

// The eight metric categories of metrics.md, by wire name.
const (
	CategoryLiveWorkload           = "live-workload"
	CategoryActiveTasks            = "active-tasks"
	CategorySLACountdown           = "sla-countdown"
	CategoryResponseLatency        = "response-latency"
	CategoryRemediationTimeline    = "remediation-timeline"
	CategoryCrossEnginePerformance = "cross-engine-performance"
	CategoryWorkloadDelta          = "workload-delta"
	CategoryTrendSignal            = "trend-signal"
)

// MetricCategories lists the metric categories in spec order, the order
// of a query's metrics when it names none.
var MetricCategories = [...]string{
	CategoryLiveWorkload,
	CategoryActiveTasks,
	CategorySLACountdown,
	CategoryResponseLatency,
	CategoryRemediationTimeline,
	CategoryCrossEnginePerformance,
	CategoryWorkloadDelta,
	CategoryTrendSignal,
}

// CategoryPermission returns the permission a restricted metric category
// needs, and false for a category anyone may see (or an unknown name).
func CategoryPermission(category string) (string, bool) {
	switch category {
	case CategoryCrossEnginePerformance:
		return PermViewCrossEngineMetrics, true
	case CategoryWorkloadDelta:
		return PermViewWorkloadMetrics, true
	case CategoryTrendSignal:
		return PermViewTrendMetrics, true
	default:
		return "", false
	}
}
