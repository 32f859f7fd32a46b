// Package metrics computes the eight metrics of metrics.md, the stream
// state and the result summary from a tenant's state.
//
// # Usage
//
// Every entry point is a pure function of a *state.Tenant, a Scope and an
// evaluation time now, which the caller reads from its clock and which is
// truncated to the whole second here:
//
//	m := metrics.Compute(t, metrics.LiveWorkload, scope, now, metrics.DefaultOptions())
//	ss := metrics.ComputeStreamState(t, scope, now, opts, pending)
//	sum := metrics.Summarize(t, scope, now, visible)
//
// Nothing here reads the wall clock; only metricIds are random, unless
// Options.NewID fixes them.
//
// # Cost
//
// No metric rescans event history; each reads what the state keeps
// incrementally. With E the open entities of the categories a metric
// reads, S the tenant's distinct (facility, federation) pairs and R the
// records inside a window:
//
//   - live-workload, active-tasks, workload-delta's current: one pass
//     over the open tasks, O(E).
//   - sla-countdown: one pass over open tasks and alerts, O(E); the
//     stream state's slaCountdowns adds a sort, O(E log E).
//   - response-latency: the acknowledgements in the window, O(log R + R),
//     plus a sort of their latencies for the percentiles, O(R log R).
//   - remediation-timeline: one pass over the open remediation items,
//     O(E), and the completions in the window, O(log R + R).
//   - cross-engine-performance and trend-signal: per-second buckets of
//     the last two or five minutes, O(S * (log 600 + 300)) at most.
//   - workload-delta: the workload changes of the last five minutes.
//   - stream state: rollingMetrics is O(S); recentEvents walks the
//     buffer from the newest until it has enough, O(buffer) at worst.
//
// # Concurrency
//
// The functions read the tenant, so they must run on the goroutine that
// owns it (its actor). The values they return are the caller's own: a
// Metric, StreamState or Summary shares nothing with the state except the
// raw bodies of recent events, which are immutable.
package metrics
