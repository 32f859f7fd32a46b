package metrics

import (
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
)

// deltaWindow is workload-delta's window.
const deltaWindow = 5 * time.Minute

// load is one operator's open assigned tasks in a scope.
type load struct {
	tasks      int
	bySeverity [event.NumSeverities]int
}

// loads returns, per assignee, the open assigned tasks inside the scope
// (matched by each task's opening event). Cost: one pass over the open
// tasks.
func loads(in input) map[string]*load {
	out := make(map[string]*load)
	for e := range in.t.OpenEntities(event.TaskLifecycle) {
		op := e.Assignee()
		if op == "" || !e.In(in.f) {
			continue
		}
		l := out[op]
		if l == nil {
			l = &load{}
			out[op] = l
		}
		l.tasks++
		l.bySeverity[e.Severity()]++
	}
	return out
}

// liveWorkload is metrics.md §1: open tasks that have an assignee.
func liveWorkload(in input, m *Metric) {
	byOp := map[string]float64{}
	var sev [event.NumSeverities]float64
	total := 0
	for op, l := range loads(in) {
		byOp[op] = float64(l.tasks)
		total += l.tasks
		for s, n := range l.bySeverity {
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

// activeTasks is metrics.md §2: open tasks, assigned or not.
func activeTasks(in input, m *Metric) {
	byCat := map[string]float64{}
	var sev [event.NumSeverities]float64
	status := make([]float64, len(activeTaskStatuses))
	n := 0
	for e := range in.t.OpenEntities(event.TaskLifecycle) {
		if !e.In(in.f) {
			continue
		}
		n++
		cat := e.WorkCategory()
		if cat == "" {
			cat = "uncategorized"
		}
		byCat[cat]++
		sev[e.Severity()]++
		switch e.Status() {
		case event.TaskCreated:
			status[0]++
		case event.TaskAcknowledged:
			status[1]++
		case event.TaskAssigned:
			status[2]++
		case event.TaskInProgress:
			status[3]++
		}
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
	for _, l := range loads(in) {
		current += l.tasks
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
