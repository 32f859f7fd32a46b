package metrics_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/metrics"
	"github.com/opsmonitor/monitor/pkg/state"
	"github.com/opsmonitor/monitor/pkg/state/statetest"
	"pgregory.net/rapid"
)

// lifecycleTypes are the types the property test draws from: every
// entity category, weighted to the ones with assignments.
var lifecycleTypes = []event.Type{
	event.TaskCreated, event.TaskCreated, event.TaskAcknowledged,
	event.TaskAssigned, event.TaskAssigned, event.TaskInProgress,
	event.TaskResolved, event.TaskDismissed,
	event.AlertDetected, event.AlertAcknowledged, event.AlertEscalated,
	event.AlertResolved,
	event.FindingCreated, event.FindingAcknowledged,
	event.RemediationStarted, event.RemediationCompleted,
	event.DriftDetected, event.DriftRemediated,
	event.PolicyViolation, event.PolicyResolved, event.LineageUpdated,
	event.DocOutdated, event.DocUpdated, event.DocValidated,
	event.MetricComputed,
}

// model tracks which entities are open, the reference for the state.
type model map[string]bool // category/entity -> open

func (m model) apply(e E) {
	k := e.Type.Category().String() + "/" + e.Entity
	open, known := m[k]
	switch e.Type.Role() {
	case event.Opening:
		if !known {
			m[k] = true
		}
	case event.Closing:
		if open {
			m[k] = false
		}
	}
}

func (m model) open(c event.Category) int {
	n := 0
	for k, open := range m {
		if open && len(k) > len(c.String()) && k[:len(c.String())+1] == c.String()+"/" {
			n++
		}
	}
	return n
}

func total(v any) float64 {
	switch x := v.(type) {
	case map[string]float64:
		s := 0.0
		for _, n := range x {
			s += n
		}
		return s
	case []float64:
		s := 0.0
		for _, n := range x {
			s += n
		}
		return s
	}
	panic(fmt.Sprintf("no total of %T", v))
}

func TestInvariants(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		f := statetest.NewFeed(state.Config{})
		m := model{}
		n := rapid.IntRange(0, 300).Draw(rt, "n")
		for i := range n {
			e := E{
				ID:       fmt.Sprintf("e%d", i),
				Type:     rapid.SampledFrom(lifecycleTypes).Draw(rt, "type"),
				Entity:   fmt.Sprintf("x%d", rapid.IntRange(0, 15).Draw(rt, "entity")),
				Severity: event.Severity(rapid.IntRange(0, 3).Draw(rt, "sev")),
				At: ago(time.Duration(rapid.Int64Range(-int64(time.Minute),
					int64(12*time.Minute)).Draw(rt, "ago"))),
				Facility: rapid.SampledFrom([]string{"", "f1", "f2"}).Draw(rt, "fac"),
				Operator: rapid.SampledFrom([]string{"", "op-1", "op-2", "op-3"}).Draw(rt, "op"),
			}
			if e.Type == event.TaskAssigned && e.Operator == "" {
				e.Operator = "op-1"
			}
			if i > 0 && rapid.IntRange(0, 9).Draw(rt, "dup") == 0 {
				e.ID = fmt.Sprintf("e%d", i-1) // a redelivery
			}
			if !f.Apply(e).Duplicate {
				m.apply(e)
			}
		}
		scope := rapid.SampledFrom([]metrics.Scope{
			tenantScope,
			{TenantID: "tenant-alpha", FacilityID: "f1"},
		}).Draw(rt, "scope")
		get := func(c metrics.Category) metrics.Metric {
			return compute(f.Tenant, c, scope)
		}

		live := get(metrics.LiveWorkload)
		active := get(metrics.ActiveTasks)
		sla := get(metrics.SLACountdown)
		rem := get(metrics.RemediationTimeline)
		cross := get(metrics.CrossEnginePerformance)
		delta := get(metrics.WorkloadDelta)
		trend := get(metrics.TrendSignal)

		parts := []struct {
			m   metrics.Metric
			key string
		}{
			{live, "byOperator"}, {live, "bySeverity"},
			{active, "byCategory"}, {active, "bySeverity"}, {active, "byStatus"},
			{sla, "byStatus"}, {sla, "bySeverity"}, {sla, "byEntityType"},
			{rem, "byCategory"}, {rem, "byStage"},
			{cross, "byEngine"}, {delta, "byOperator"},
		}
		for _, p := range parts {
			if got := total(p.m.Breakdown[p.key]); got != p.m.Value {
				rt.Fatalf("%s.%s sums to %v, value %v", p.m.Category, p.key, got, p.m.Value)
			}
		}
		cur, prev := delta.Breakdown["current"].(float64), delta.Breakdown["previous"].(float64)
		if cur-prev != delta.Value || cur != live.Value {
			rt.Fatalf("workload-delta current %v previous %v value %v live %v",
				cur, prev, delta.Value, live.Value)
		}
		if s := total(trend.Breakdown["perMinute"]); s != trend.Value*5 ||
			s != total(trend.Breakdown["byCategory"]) {
			rt.Fatalf("trend-signal minutes sum %v, value %v", s, trend.Value)
		}
		if scope == tenantScope {
			if int(active.Value) != m.open(event.TaskLifecycle) {
				rt.Fatalf("active tasks %v, model %d", active.Value, m.open(event.TaskLifecycle))
			}
			alerts := int(sla.Value) - int(active.Value)
			if alerts != m.open(event.AlertLifecycle) {
				rt.Fatalf("open alerts %d, model %d", alerts, m.open(event.AlertLifecycle))
			}
		}
		for _, c := range event.Categories {
			for e := range f.Tenant.OpenEntities(c) {
				if !m[c.String()+"/"+e.ID()] {
					rt.Fatalf("%s %s is open in state, closed in model", c, e.ID())
				}
			}
		}
	})
}
