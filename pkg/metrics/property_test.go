package metrics_test

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
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
				At:       ago(drawAgo(rt)),
				Facility: rapid.SampledFrom([]string{"", "f1", "f2"}).Draw(rt, "fac"),
				Operator: rapid.SampledFrom([]string{"", "op-1", "op-2", "op-3"}).Draw(rt, "op"),
				WorkCategory: rapid.SampledFrom([]string{"", "", "uncategorized",
					"network"}).Draw(rt, "workCat"),
				SLAHours: rapid.SampledFrom([]float64{0, 0, 0, 0.05, 0.1,
					0.2}).Draw(rt, "slaHours"),
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

		for _, sc := range []metrics.Scope{scope, tenantScope} {
			checkTallies(rt, f.Tenant, sc)
			checkEvaluate(rt, f.Tenant, sc,
				rapid.IntRange(-1, 40).Draw(rt, "slaTimers"))
		}
	})
}

// drawAgo draws how long before now an event happened: on whole minutes
// half the time, so that SLA timers tie and their order falls to the
// tie-breaks.
func drawAgo(rt *rapid.T) time.Duration {
	if rapid.Bool().Draw(rt, "coarse") {
		return time.Duration(rapid.IntRange(-1, 12).Draw(rt, "agoMin")) * time.Minute
	}
	return time.Duration(rapid.Int64Range(-int64(time.Minute),
		int64(12*time.Minute)).Draw(rt, "ago"))
}

// checkTallies recomputes from the open entities what the state keeps as
// it applies events (open counts, operator loads, work categories, SLA
// timers) and compares.
func checkTallies(rt *rapid.T, tn *state.Tenant, scope metrics.Scope) {
	f := state.Filter{FacilityID: scope.FacilityID, FederationID: scope.FederationID}
	var want state.OpenCounts
	status := map[event.Type]int{}
	loads := map[string]state.Load{}
	cats := map[string]int{}
	for _, c := range event.Categories {
		for e := range tn.OpenEntities(c) {
			if !e.In(f) {
				continue
			}
			want.Open[c]++
			want.BySeverity[c][e.Severity()]++
			status[e.Status()]++
			if c != event.TaskLifecycle {
				continue
			}
			cats[e.WorkCategory()]++
			if op := e.Assignee(); op != "" {
				l := loads[op]
				l.Tasks++
				l.BySeverity[e.Severity()]++
				loads[op] = l
			}
		}
	}

	got := tn.OpenCounts(f)
	if got.Open != want.Open || got.BySeverity != want.BySeverity {
		rt.Fatalf("open counts %+v, recomputed %+v", got, want)
	}
	for _, c := range event.Categories {
		for _, typ := range event.TypesOf(c) {
			if got.Status(typ) != status[typ] {
				rt.Fatalf("open with status %s: %d, recomputed %d",
					typ, got.Status(typ), status[typ])
			}
		}
	}
	if g := tn.Loads(f); !maps.Equal(g, loads) {
		rt.Fatalf("loads %v, recomputed %v", g, loads)
	}
	if g := tn.OpenWorkCategories(f); !maps.Equal(g, cats) {
		rt.Fatalf("work categories %v, recomputed %v", g, cats)
	}

	var mins [5][event.NumCategories]uint64
	tn.EventCountsByMinute(f, now, mins[:])
	for k, got := range mins {
		end := now.Add(-time.Duration(k) * time.Minute)
		if want := tn.EventCounts(f, end.Add(-time.Minute), end); got != want {
			rt.Fatalf("minute %d: %v, EventCounts %v", k, got, want)
		}
	}

	mask := tn.ScopeMask(f, nil)
	for _, c := range event.Categories {
		ts := tn.Timers(c)
		if len(ts) != tn.OpenCount(c) {
			rt.Fatalf("%s: %d timers, %d open", c, len(ts), tn.OpenCount(c))
		}
		for i, tm := range ts {
			e := tn.OpenAt(c, i)
			thr := int64(math.Round(tn.SLAHours(e)*3_600_000)) * int64(time.Millisecond)
			if tm.Threshold != thr || tm.Deadline != e.OpenedAt().UnixNano()+thr ||
				tm.Severity != e.Severity() || mask[tm.Scope] != e.In(f) {
				rt.Fatalf("%s %s: timer %+v, entity threshold %d opened %v severity %s",
					c, e.ID(), tm, thr, e.OpenedAt(), e.Severity())
			}
		}
	}
}

// checkEvaluate compares Evaluate with the separate entry points, and the
// listed SLA timers with a full sort of every timer in scope.
func checkEvaluate(rt *rapid.T, tn *state.Tenant, scope metrics.Scope, k int) {
	opts := metrics.DefaultOptions()
	opts.NewID = fixedID
	opts.SLATimers = k
	visible := func(op string) bool { return op != "op-2" }

	rep := metrics.Evaluate(tn, metrics.Categories[:], scope, now, opts, 7, visible)
	for i, c := range metrics.Categories {
		want := metrics.Compute(tn, c, scope, now, opts)
		if !reflect.DeepEqual(rep.Metrics[i], want) {
			rt.Fatalf("Evaluate %s:\n%+v\nCompute:\n%+v", c, rep.Metrics[i], want)
		}
	}
	ss := metrics.ComputeStreamState(tn, scope, now, opts, 7)
	if !reflect.DeepEqual(rep.StreamState, ss) {
		rt.Fatalf("Evaluate stream state:\n%+v\nComputeStreamState:\n%+v", rep.StreamState, ss)
	}
	if sum := metrics.Summarize(tn, scope, now, visible); !reflect.DeepEqual(rep.Summary, sum) {
		rt.Fatalf("Evaluate summary %+v, Summarize %+v", rep.Summary, sum)
	}

	// Every timer in scope, fully sorted: the listed ones are its prefix.
	f := state.Filter{FacilityID: scope.FacilityID, FederationID: scope.FederationID}
	type ref struct {
		rem   int64
		alert bool
		id    string
	}
	var all []ref
	for _, c := range []event.Category{event.TaskLifecycle, event.AlertLifecycle} {
		for e := range tn.OpenEntities(c) {
			if !e.In(f) {
				continue
			}
			thr := int64(math.Round(tn.SLAHours(e)*3_600_000)) * int64(time.Millisecond)
			rem := e.OpenedAt().UnixNano() + thr - now.UnixNano()
			all = append(all, ref{rem, c == event.AlertLifecycle, e.ID()})
		}
	}
	slices.SortFunc(all, func(a, b ref) int {
		if a.rem != b.rem {
			return cmp.Compare(a.rem, b.rem)
		}
		if a.alert != b.alert {
			if a.alert {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.id, b.id)
	})
	if k < 0 {
		k = metrics.DefaultSLATimers
	}
	all = all[:min(k, len(all))]
	got := rep.StreamState.SLACountdowns
	if len(got) != len(all) {
		rt.Fatalf("%d timers listed, want %d", len(got), len(all))
	}
	for i, r := range all {
		typ := map[bool]string{true: "alert", false: "task"}[r.alert]
		hours := float64(r.rem) / float64(time.Hour)
		if got[i].EntityID != r.id || got[i].EntityType != typ ||
			got[i].TimeRemainingHours != hours {
			rt.Fatalf("timer %d is %s %s %v, want %s %s %v", i, got[i].EntityType,
				got[i].EntityID, got[i].TimeRemainingHours, typ, r.id, hours)
		}
	}
}
