package metrics

import (
	"time"

	"github.com/opsmonitor/monitor/pkg/state"
)

// Report is everything a full query computes from a tenant's state: the
// metrics asked for, the stream state and the summary.
type Report struct {
	// Metrics are in the order of the categories asked for.
	Metrics     []Metric
	StreamState StreamState
	Summary     Summary
}

// Evaluate returns, in one pass over the state, what Compute (for each
// of cats, in order), ComputeStreamState and Summarize return for the
// same arguments, field for field (metricIds aside, which Options.NewID
// draws in the same order). The figures they share are taken once: the
// SLA timers are walked once for sla-countdown, slaCountdowns and the
// summary, keeping the most urgent in a bounded heap, and the open
// counts and operator loads come from the state's per-scope tallies.
//
// Cost: O(E) for the timer walk over the open tasks and alerts (no
// allocation per entity), O(E log k) at worst for the k listed timers,
// plus what the windowed metrics read (see the package documentation).
func Evaluate(t *state.Tenant, cats []Category, scope Scope, now time.Time,
	opts Options, pending uint64, visible func(operatorID string) bool) Report {
	now = evalTime(now)
	in := newInput(t, scope, now, opts)
	in.timers(opts.slaTimers())

	r := Report{Metrics: make([]Metric, 0, len(cats))}
	for _, c := range cats {
		r.Metrics = append(r.Metrics, compute(in, c))
	}
	r.StreamState = streamState(in, scope, pending)
	r.Summary = summarize(in, visible)
	return r
}
