package metrics

import (
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/state"
)

// Summary is what a query result's summary takes from the state;
// metricsComputed is the caller's.
type Summary struct {
	EventsProcessed uint64 `json:"eventsProcessed"`
	ActiveTasks     int    `json:"activeTasks"`
	ActiveSLATimers int    `json:"activeSlaTimers"`
	SLABreaches     int    `json:"slaBreaches"`
	SLAWarnings     int    `json:"slaWarnings"`
	// BusiestOperator is nil when no visible operator has an open
	// assigned task.
	BusiestOperator *Busiest `json:"busiestOperator"`
}

// Busiest names the operator with the most open assigned tasks.
type Busiest struct {
	OperatorID  string `json:"operatorId"`
	ActiveTasks int    `json:"activeTasks"`
}

// Summarize returns the summary figures of tenant t over the whole scope
// at now (truncated to the second). visible says which operators the
// caller may see (and, when the query names operators, which it named);
// nil means all. Ties for the busiest operator go to the smallest id.
func Summarize(t *state.Tenant, scope Scope, now time.Time,
	visible func(operatorID string) bool) Summary {
	return summarize(newInput(t, scope, evalTime(now), Options{}), visible)
}

// summarize returns the summary figures of in.
func summarize(in input, visible func(operatorID string) bool) Summary {
	ts := in.timers(0)
	out := Summary{
		EventsProcessed: in.t.Totals(in.f).Events,
		ActiveTasks:     in.openCounts().Open[event.TaskLifecycle],
		ActiveSLATimers: ts.n,
		SLABreaches:     ts.byStatus[2],
		SLAWarnings:     ts.byStatus[1],
	}
	for op, l := range in.loads() {
		if visible != nil && !visible(op) {
			continue
		}
		b := out.BusiestOperator
		if b == nil || l.Tasks > b.ActiveTasks ||
			l.Tasks == b.ActiveTasks && op < b.OperatorID {
			out.BusiestOperator = &Busiest{OperatorID: op, ActiveTasks: l.Tasks}
		}
	}
	return out
}
