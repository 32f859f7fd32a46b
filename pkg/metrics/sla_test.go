package metrics_test

import (
	"testing"
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/metrics"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSLACountdown(t *testing.T) {
	// A critical task has 4 h = 240 min; 20% of it is 48 min.
	tests := []struct {
		name      string
		events    []E
		status    string // of the single timer
		remaining float64
		hours     float64
		bySev     map[string]float64
		kind      string
	}{
		{
			name: "exactly 20 percent left is warning",
			events: []E{{Type: event.TaskCreated, Entity: "t",
				At: ago(192 * time.Minute)}},
			status: "warning", remaining: 0.8, hours: 4,
			bySev: sev(1, 0, 0, 0), kind: "task",
		},
		{
			name: "a millisecond more than 20 percent is ok",
			events: []E{{Type: event.TaskCreated, Entity: "t",
				At: ago(192*time.Minute - time.Millisecond)}},
			status: "ok", remaining: 0.8 + 1.0/3_600_000, hours: 4,
			bySev: sev(1, 0, 0, 0), kind: "task",
		},
		{
			name: "remaining exactly 0 is warning, not breach",
			events: []E{{Type: event.TaskCreated, Entity: "t",
				At: ago(4 * time.Hour)}},
			status: "warning", remaining: 0, hours: 4,
			bySev: sev(1, 0, 0, 0), kind: "task",
		},
		{
			name: "a nanosecond past is breach",
			events: []E{{Type: event.TaskCreated, Entity: "t",
				At: ago(4*time.Hour + time.Nanosecond)}},
			status: "breach", remaining: -1e-9 / 3600, hours: 4,
			bySev: sev(1, 0, 0, 0), kind: "task",
		},
		{
			name: "high alert with 3 h of 8 left is ok",
			events: []E{{Type: event.AlertDetected, Entity: "a",
				Severity: event.High, At: ago(5 * time.Hour)}},
			status: "ok", remaining: 3, hours: 8,
			bySev: sev(0, 1, 0, 0), kind: "alert",
		},
		{
			name: "escalation to critical changes threshold to 4 h",
			events: []E{
				{Type: event.AlertDetected, Entity: "a", Severity: event.High,
					At: ago(5 * time.Hour)},
				{Type: event.AlertEscalated, Entity: "a",
					Severity: event.Critical, At: ago(time.Hour)},
			},
			status: "breach", remaining: -1, hours: 4,
			bySev: sev(1, 0, 0, 0), kind: "alert",
		},
		{
			name: "payload slaHours overrides severity",
			events: []E{{Type: event.TaskCreated, Entity: "t",
				Severity: event.Low, SLAHours: 2, At: ago(90 * time.Minute)}},
			status: "ok", remaining: 0.5, hours: 2,
			bySev: sev(0, 0, 0, 1), kind: "task",
		},
		{
			name: "slaHours rounds to whole milliseconds",
			// 1e-7 h = 0.36 ms rounds to 0 ms: the timer is due at start.
			events: []E{{Type: event.TaskCreated, Entity: "t",
				SLAHours: 1e-7, At: now}},
			status: "warning", remaining: 0, hours: 1e-7,
			bySev: sev(1, 0, 0, 0), kind: "task",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tn := tenantOf(t, tc.events...)

			m := compute(tn, metrics.SLACountdown, tenantScope)
			ss := metrics.ComputeStreamState(tn, tenantScope, now,
				metrics.DefaultOptions(), 0)

			byStatus := map[string]float64{"ok": 0, "warning": 0, "breach": 0}
			byStatus[tc.status] = 1
			byKind := map[string]float64{"task": 0, "alert": 0}
			byKind[tc.kind] = 1
			assert.Equal(t, 1.0, m.Value)
			assert.Equal(t, byStatus, m.Breakdown["byStatus"])
			assert.Equal(t, tc.bySev, m.Breakdown["bySeverity"])
			assert.Equal(t, byKind, m.Breakdown["byEntityType"])
			assert.Equal(t, now.Add(10*time.Second), m.ValidUntil)
			require.Len(t, ss.SLACountdowns, 1)
			got := ss.SLACountdowns[0]
			assert.Equal(t, tc.status, got.Status)
			assert.InDelta(t, tc.remaining, got.TimeRemainingHours, 1e-12)
			assert.Equal(t, tc.hours, got.SLAThresholdHours)
			assert.Equal(t, tc.kind, got.EntityType)
		})
	}
}

func TestSLACountdownOrder(t *testing.T) {
	tn := tenantOf(t,
		E{Type: event.TaskCreated, Entity: "t-b", At: ago(time.Hour)},
		E{Type: event.TaskCreated, Entity: "t-a", At: ago(time.Hour)},
		// an alert with the same remaining time comes before tasks
		E{Type: event.AlertDetected, Entity: "a-z", At: ago(time.Hour)},
		E{Type: event.TaskCreated, Entity: "t-late", At: ago(time.Minute)},
		E{Type: event.TaskCreated, Entity: "t-urgent", At: ago(3 * time.Hour)},
		E{Type: event.TaskAssigned, Entity: "t-urgent", At: ago(time.Hour),
			Operator: "op-1", OperatorName: "Alice"},
	)
	opts := metrics.DefaultOptions()
	opts.SLATimers = 4

	ss := metrics.ComputeStreamState(tn, tenantScope, now, opts, 0)

	var ids []string
	for _, tm := range ss.SLACountdowns {
		ids = append(ids, tm.EntityID)
	}
	assert.Equal(t, []string{"t-urgent", "a-z", "t-a", "t-b"}, ids)
	assert.Equal(t, "op-1", ss.SLACountdowns[0].OperatorID)
	assert.Equal(t, "Alice", ss.SLACountdowns[0].OperatorName)
}
