package metrics

import (
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
)

// deltaWindow is workload-delta's window.
const deltaWindow = 5 * time.Minute

// liveWorkload is metrics.md §1: open tasks that have an assignee.
func liveWorkload(in input, m *Metric) {
	loads := in.loads()
	byOp := make(map[string]float64, len(loads))
	var sev [event.NumSeverities]float64
	total := 0
	for op, l := range loads {
		byOp[op] = float64(l.Tasks)
		total += l.Tasks
		for s, n := range l.BySeverity {
			sev[s] += float64(n)
		}
	}

	m.Value = float64(total)
	m.Breakdown["byOperator"] = byOp
	m.Breakdown["bySeverity"] = bySeverity(sev)
	m.Metadata.SampleSize = len(byOp)
}

// activeTaskStatuses are the byStatus keys of active-tasks.
var activeTaskStatuses = []string{"created", "acknowledged", "assigned", "in-progress"}

// activeTaskTypes are the event types of activeTaskStatuses, in order.
var activeTaskTypes = []event.Type{
	event.TaskCreated, event.TaskAcknowledged, event.TaskAssigned,
	event.TaskInProgress,
}

// activeTasks is metrics.md §2: open tasks, assigned or not.
func activeTasks(in input, m *Metric) {
	counts := in.openCounts()
	n := counts.Open[event.TaskLifecycle]
	byCat := map[string]float64{}
	for cat, k := range in.t.OpenWorkCategories(in.f) {
		if cat == "" {
			cat = "uncategorized"
		}
		byCat[cat] += float64(k)
	}
	var sev [event.NumSeverities]float64
	for s, k := range counts.BySeverity[event.TaskLifecycle] {
		sev[s] = float64(k)
	}
	status := make([]float64, len(activeTaskTypes))
	for i, typ := range activeTaskTypes {
		status[i] = float64(counts.Status(typ))
	}

	m.Value = float64(n)
	m.Breakdown["byCategory"] = byCat
	m.Breakdown["bySeverity"] = bySeverity(sev)
	m.Breakdown["byStatus"] = keyed(activeTaskStatuses, status)
	m.Metadata.SampleSize = n
}

// workloadDelta is metrics.md §7: the net change of assigned open tasks
// over the last five minutes.
func workloadDelta(in input, m *Metric) {
	current := 0
	for _, l := range in.loads() {
		current += l.Tasks
	}
	sums := map[string]int{}
	value, n := 0, 0
	for c := range in.t.WorkloadChanges(in.now.Add(-deltaWindow), in.now) {
		if !in.f.Match(c.FacilityID, c.FederationID) {
			continue
		}
		sums[c.OperatorID] += c.Delta
		value += c.Delta
		n++
	}
	byOp := map[string]float64{}
	for op, s := range sums {
		if s != 0 {
			byOp[op] = float64(s)
		}
	}
	previous := current - value

	rate := 0.0
	switch {
	case previous > 0:
		rate = float64(value) / float64(previous) * 100
	case value != 0:
		rate = 100
	}

	m.Value = float64(value)
	m.Breakdown["byOperator"] = byOp
	m.Breakdown["previous"] = float64(previous)
	m.Breakdown["current"] = float64(current)
	m.Trend = newTrend(rate)
	m.WindowMinutes = intPtr(int(deltaWindow.Minutes()))
	m.Metadata.SampleSize = n
}
