package metrics

import (
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/state"
)

// input is what every metric reads: the tenant, the scope's filter, the
// evaluation time, and the figures already taken from the state for
// this evaluation.
type input struct {
	t    *state.Tenant
	f    state.Filter
	now  time.Time
	opts Options
	memo *memo
}

// memo holds what several figures of one evaluation share, each taken
// from the state at most once: the open counts, the operator loads and
// the SLA timer walk and the per-minute event counts.
type memo struct {
	counts *state.OpenCounts
	loads  map[string]state.Load
	timers *timerStats
	// minutes are the events per category of the last rateMinutes
	// minutes, the newest first.
	minutes *[rateMinutes][event.NumCategories]uint64
}

// newInput returns the input of one evaluation of t for scope at now
// (already truncated).
func newInput(t *state.Tenant, scope Scope, now time.Time, opts Options) input {
	return input{t: t, f: scope.filter(), now: now, opts: opts, memo: &memo{}}
}

// openCounts returns the open entities in scope by category, status and
// severity. Cost: O(S), the scope keys.
func (in input) openCounts() *state.OpenCounts {
	if in.memo.counts == nil {
		c := in.t.OpenCounts(in.f)
		in.memo.counts = &c
	}
	return in.memo.counts
}

// loads returns, per assignee, the open assigned tasks in scope. Cost:
// O(S * operators). The map is shared: read it, do not change it.
func (in input) loads() map[string]state.Load {
	if in.memo.loads == nil {
		in.memo.loads = in.t.Loads(in.f)
	}
	return in.memo.loads
}

// timers returns the SLA timers in scope with at least the k most
// urgent listed, walking them only when no earlier walk listed as many.
func (in input) timers(k int) *timerStats {
	if ts := in.memo.timers; ts == nil || ts.k < k {
		in.memo.timers = walkTimers(in, k)
	}
	return in.memo.timers
}

// evalTime truncates now to the whole second, in UTC.
func evalTime(now time.Time) time.Time {
	return now.UTC().Truncate(time.Second)
}

// Compute returns metric c of tenant t for scope at now (truncated to the
// second). The scope's tenant is only echoed: t must be that tenant. An
// unknown c gives a metric with an empty breakdown and sample size 0.
// A query that needs several figures should call Evaluate, which shares
// the work between them.
func Compute(t *state.Tenant, c Category, scope Scope, now time.Time,
	opts Options) Metric {
	now = evalTime(now)
	return compute(newInput(t, scope, now, opts), c)
}

// compute returns metric c from in.
func compute(in input, c Category) Metric {
	m := Metric{
		MetricID:   in.opts.id(),
		Category:   c,
		Name:       c.Name(),
		Unit:       c.Unit(),
		Breakdown:  map[string]any{},
		ComputedAt: in.now,
		ValidUntil: in.now.Add(c.Validity()),
	}

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
