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
// A full query calls Evaluate instead, which returns the same figures
// and takes what they share from the state once:
//
//	rep := metrics.Evaluate(t, cats, scope, now, opts, pending, visible)
//
// Nothing here reads the wall clock; only metricIds are random, unless
// Options.NewID fixes them.
//
// # Cost
//
// No metric rescans event history; each reads what the state keeps
// incrementally. With E the open tasks and alerts, S the tenant's
// distinct (facility, federation) pairs, P the operators with open
// assigned tasks and R the records inside a window:
//
//   - live-workload, active-tasks, workload-delta's current, the open
//     items of remediation-timeline, workloadState and the busiest
//     operator: the state's per-scope-key tallies, O(S + S * P).
//   - sla-countdown, slaCountdowns and the summary's timer counts: a
//     timer's status depends on now, so they walk the dense timer
//     slices of the open tasks and alerts, O(E) without allocating;
//     slaCountdowns keeps the k most urgent in a bounded heap,
//     O(E + k log k) in the usual case and O(E log k) at worst.
//     Evaluate walks once for all three.
//   - response-latency: the acknowledgements in the window, O(log R + R),
//     plus a sort of their latencies for the percentiles, O(R log R).
//   - remediation-timeline: the tallies for the open items and the
//     completions in the window, O(log R + R).
//   - cross-engine-performance, trend-signal and eventsPerMinute: the
//     per-second buckets of the last five minutes, read once per
//     evaluation, O(S * (log 600 + 300)) at most.
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
