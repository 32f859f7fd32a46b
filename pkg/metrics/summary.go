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
	in := input{t: t, f: scope.filter(), now: evalTime(now)}
	out := Summary{EventsProcessed: t.Totals(in.f).Events}

	for e := range t.OpenEntities(event.TaskLifecycle) {
		if e.In(in.f) {
			out.ActiveTasks++
		}
	}
	eachTimer(in, func(tm timer) {
		out.ActiveSLATimers++
		switch tm.status {
		case statusBreach:
			out.SLABreaches++
		case statusWarning:
			out.SLAWarnings++
		}
	})
	for op, l := range loads(in) {
		if visible != nil && !visible(op) {
			continue
		}
		b := out.BusiestOperator
		if b == nil || l.tasks > b.ActiveTasks ||
			l.tasks == b.ActiveTasks && op < b.OperatorID {
			out.BusiestOperator = &Busiest{OperatorID: op, ActiveTasks: l.tasks}
		}
	}
	return out
}
