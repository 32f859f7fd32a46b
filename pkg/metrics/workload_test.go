package metrics_test

import (
	"testing"
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/metrics"
	"github.com/stretchr/testify/assert"
)

// assigned returns a created task t at facility fac, federation fed,
// assigned to op, both events at ts.
func assigned(id, op, fac, fed string, s event.Severity, ts time.Time) []E {
	return []E{
		{Type: event.TaskCreated, Entity: id, At: ts, Severity: s,
			Facility: fac, Federation: fed},
		{Type: event.TaskAssigned, Entity: id, At: ts, Severity: s,
			Operator: op},
	}
}

func cat(parts ...[]E) []E {
	var out []E
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestLiveWorkload(t *testing.T) {
	long := ago(time.Hour)
	tests := []struct {
		name   string
		events []E
		scope  metrics.Scope
		value  float64
		byOp   map[string]float64
		bySev  map[string]float64
		sample int
		conf   string
	}{
		{
			name:  "empty tenant",
			scope: tenantScope,
			byOp:  map[string]float64{},
			bySev: sev(0, 0, 0, 0),
			conf:  "none",
		},
		{
			name: "assigned open tasks, unassigned and closed ones left out",
			events: cat(
				assigned("t1", "op-1", "f1", "n1", event.Critical, long),
				assigned("t2", "op-1", "f2", "n1", event.Low, long),
				assigned("t3", "op-2", "f1", "n2", event.High, long),
				[]E{{Type: event.TaskCreated, Entity: "t4", At: long}},
				assigned("t5", "op-3", "f1", "n1", event.High, long),
				[]E{{Type: event.TaskResolved, Entity: "t5", At: long}},
			),
			scope:  tenantScope,
			value:  3,
			byOp:   map[string]float64{"op-1": 2, "op-2": 1},
			bySev:  sev(1, 1, 0, 1),
			sample: 2,
			conf:   "low",
		},
		{
			name: "facility narrows by the opening event",
			events: cat(
				assigned("t1", "op-1", "f1", "n1", event.Critical, long),
				assigned("t2", "op-1", "f2", "n1", event.Low, long),
				assigned("t3", "op-2", "f1", "n2", event.High, long),
			),
			scope:  metrics.Scope{TenantID: "tenant-alpha", FacilityID: "f1"},
			value:  2,
			byOp:   map[string]float64{"op-1": 1, "op-2": 1},
			bySev:  sev(1, 1, 0, 0),
			sample: 2,
			conf:   "low",
		},
		{
			name: "facility and federation both narrow",
			events: cat(
				assigned("t1", "op-1", "f1", "n1", event.Critical, long),
				assigned("t2", "op-1", "f2", "n1", event.Low, long),
				assigned("t3", "op-2", "f1", "n2", event.High, long),
			),
			scope: metrics.Scope{TenantID: "tenant-alpha",
				FacilityID: "f1", FederationID: "n2"},
			value:  1,
			byOp:   map[string]float64{"op-2": 1},
			bySev:  sev(0, 1, 0, 0),
			sample: 1,
			conf:   "low",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tn := tenantOf(t, tc.events...)

			m := compute(tn, metrics.LiveWorkload, tc.scope)

			assert.Equal(t, tc.value, m.Value)
			assert.Equal(t, tc.byOp, m.Breakdown["byOperator"])
			assert.Equal(t, tc.bySev, m.Breakdown["bySeverity"])
			assert.Equal(t, tc.sample, m.Metadata.SampleSize)
			assert.Equal(t, tc.conf, m.Metadata.ConfidenceLevel)
			assert.Nil(t, m.Trend)
			assert.Nil(t, m.WindowMinutes)
			assert.Equal(t, now.Add(60*time.Second), m.ValidUntil)
		})
	}
}

func TestActiveTasks(t *testing.T) {
	long := ago(time.Hour)
	events := []E{
		{Type: event.TaskCreated, Entity: "t1", At: long, WorkCategory: "audit-remediation"},
		{Type: event.TaskCreated, Entity: "t2", At: long, Severity: event.Medium},
		{Type: event.TaskAcknowledged, Entity: "t2", At: long, Severity: event.Low},
		{Type: event.TaskCreated, Entity: "t3", At: long, WorkCategory: "x", Facility: "f9"},
		{Type: event.TaskAssigned, Entity: "t3", At: long, Operator: "op"},
		{Type: event.TaskInProgress, Entity: "t3", At: long},
		{Type: event.TaskCreated, Entity: "t4", At: long},
		{Type: event.TaskAssigned, Entity: "t4", At: long, Operator: "op"},
		{Type: event.TaskCreated, Entity: "t5", At: long},
		{Type: event.TaskDismissed, Entity: "t5", At: long},
	}
	tests := []struct {
		name   string
		scope  metrics.Scope
		value  float64
		byCat  map[string]float64
		bySev  map[string]float64
		status map[string]float64
	}{
		{
			name:  "tenant",
			scope: tenantScope,
			value: 4,
			byCat: map[string]float64{"audit-remediation": 1, "uncategorized": 2, "x": 1},
			bySev: sev(3, 0, 0, 1),
			status: map[string]float64{"created": 1, "acknowledged": 1,
				"assigned": 1, "in-progress": 1},
		},
		{
			name:  "facility",
			scope: metrics.Scope{TenantID: "tenant-alpha", FacilityID: "f9"},
			value: 1,
			byCat: map[string]float64{"x": 1},
			bySev: sev(1, 0, 0, 0),
			status: map[string]float64{"created": 0, "acknowledged": 0,
				"assigned": 0, "in-progress": 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tn := tenantOf(t, events...)

			m := compute(tn, metrics.ActiveTasks, tc.scope)

			assert.Equal(t, tc.value, m.Value)
			assert.Equal(t, tc.byCat, m.Breakdown["byCategory"])
			assert.Equal(t, tc.bySev, m.Breakdown["bySeverity"])
			assert.Equal(t, tc.status, m.Breakdown["byStatus"])
			assert.Equal(t, int(tc.value), m.Metadata.SampleSize)
		})
	}
}

func TestWorkloadDelta(t *testing.T) {
	tests := []struct {
		name     string
		events   []E
		value    float64
		byOp     map[string]float64
		previous float64
		current  float64
		rate     float64
		dir      string
		sample   int
	}{
		{
			name:     "empty",
			byOp:     map[string]float64{},
			dir:      "stable",
			previous: 0,
		},
		{
			name: "reassignment inside the window",
			events: []E{
				{Type: event.TaskCreated, Entity: "t1", At: ago(time.Hour)},
				{Type: event.TaskAssigned, Entity: "t1", At: ago(10 * time.Minute), Operator: "op-1"},
				{Type: event.TaskAssigned, Entity: "t1", At: ago(2 * time.Minute), Operator: "op-2"},
			},
			value:    0,
			byOp:     map[string]float64{"op-1": -1, "op-2": 1},
			previous: 1,
			current:  1,
			rate:     0,
			dir:      "stable",
			sample:   2,
		},
		{
			name: "gain on the left edge is outside, on now inside",
			events: []E{
				{Type: event.TaskCreated, Entity: "t1", At: ago(time.Hour)},
				{Type: event.TaskCreated, Entity: "t2", At: ago(time.Hour)},
				{Type: event.TaskCreated, Entity: "t3", At: ago(time.Hour)},
				{Type: event.TaskAssigned, Entity: "t1", At: ago(5 * time.Minute), Operator: "op-1"},
				{Type: event.TaskAssigned, Entity: "t2", At: now, Operator: "op-1"},
				{Type: event.TaskAssigned, Entity: "t3", At: ago(time.Minute), Operator: "op-2"},
			},
			value:    2,
			byOp:     map[string]float64{"op-1": 1, "op-2": 1},
			previous: 1,
			current:  3,
			rate:     200,
			dir:      "increasing",
			sample:   2,
		},
		{
			name: "closing an assigned task gives back",
			events: []E{
				{Type: event.TaskCreated, Entity: "t1", At: ago(time.Hour)},
				{Type: event.TaskAssigned, Entity: "t1", At: ago(time.Hour), Operator: "op-1"},
				{Type: event.TaskResolved, Entity: "t1", At: ago(time.Minute)},
			},
			value:    -1,
			byOp:     map[string]float64{"op-1": -1},
			previous: 1,
			current:  0,
			rate:     -100,
			dir:      "decreasing",
			sample:   1,
		},
		{
			name: "previous zero and a gain",
			events: []E{
				{Type: event.TaskCreated, Entity: "t1", At: ago(time.Minute)},
				{Type: event.TaskAssigned, Entity: "t1", At: ago(time.Minute), Operator: "op-1"},
			},
			value:    1,
			byOp:     map[string]float64{"op-1": 1},
			previous: 0,
			current:  1,
			rate:     100,
			dir:      "increasing",
			sample:   1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tn := tenantOf(t, tc.events...)

			m := compute(tn, metrics.WorkloadDelta, tenantScope)

			assert.Equal(t, tc.value, m.Value)
			assert.Equal(t, tc.byOp, m.Operators())
			assert.Equal(t, tc.previous, m.Breakdown["previous"])
			assert.Equal(t, tc.current, m.Breakdown["current"])
			assert.Equal(t, &metrics.Trend{Direction: tc.dir, ChangeRate: tc.rate}, m.Trend)
			assert.Equal(t, 5, *m.WindowMinutes)
			assert.Equal(t, tc.sample, m.Metadata.SampleSize)
		})
	}
}
