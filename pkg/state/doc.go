// Package state holds one tenant's state, built from its accepted events:
// open and recently closed entities (tasks, alerts, remediation items), the
// per-second event counts that windowed metrics read, all-time totals, the
// acknowledgement, completion and workload records, the recent-events
// buffer and the stream-health counters.
//
// # Usage
//
// Make a tenant with NewTenant and feed it every validated event of that
// tenant, in stream order within each category, through Apply. Apply
// de-duplicates, then applies the lifecycle rules of events.md and reports
// what it did in an Outcome. Rejected messages are counted with Reject.
// The metrics package reads a tenant through its read-only accessors.
//
// # Cost
//
// Apply does a constant amount of work per event (a hash, a few map
// look-ups, an insert near the end of a sorted series) and never rescans
// history: everything a metric needs is kept incrementally. Windowed data
// is trimmed as the newest event time advances, so memory follows the
// number of open and recently closed entities, not the number of events.
//
// # Time
//
// Nothing here reads the wall clock. Event time comes from the events,
// receipt time from Meta, and readers pass their own evaluation time.
//
// # Concurrency
//
// A Tenant is owned by one goroutine (the tenant's actor) and is not safe
// for concurrent use: Apply, Reject and every accessor must be called from
// that goroutine. The values accessors return are copies, except the raw
// bodies of the recent-events buffer, which are immutable, and the slice
// Timers returns, which is the state's own until the next Apply.
package state
