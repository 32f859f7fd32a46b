package metrics

import (
	"time"

	"github.com/opsmonitor/monitor/pkg/state"
)

// input is what every metric reads: the tenant, the scope's filter and
// the evaluation time.
type input struct {
	t    *state.Tenant
	f    state.Filter
	now  time.Time
	opts Options
}

// evalTime truncates now to the whole second, in UTC.
func evalTime(now time.Time) time.Time {
	return now.UTC().Truncate(time.Second)
}

// Compute returns metric c of tenant t for scope at now (truncated to the
// second). The scope's tenant is only echoed: t must be that tenant. An
// unknown c gives a metric with an empty breakdown and sample size 0.
func Compute(t *state.Tenant, c Category, scope Scope, now time.Time,
	opts Options) Metric {
	now = evalTime(now)
	m := Metric{
		MetricID:   opts.id(),
		Category:   c,
		Name:       c.Name(),
		Unit:       c.Unit(),
		Breakdown:  map[string]any{},
		ComputedAt: now,
		ValidUntil: now.Add(c.Validity()),
	}

	in := input{t: t, f: scope.filter(), now: now, opts: opts}
	switch c {
	case LiveWorkload:
		liveWorkload(in, &m)
	case ActiveTasks:
		activeTasks(in, &m)
	case SLACountdown:
		slaCountdown(in, &m)
	case ResponseLatency:
		responseLatency(in, &m)
	case RemediationTimeline:
		remediationTimeline(in, &m)
	case CrossEnginePerformance:
		crossEngine(in, &m)
	case WorkloadDelta:
		workloadDelta(in, &m)
	case TrendSignal:
		trendSignal(in, &m)
	}

	m.Metadata.ConfidenceLevel = confidence(m.Metadata.SampleSize)
	return m
}
