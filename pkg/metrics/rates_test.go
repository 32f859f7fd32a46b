package metrics_test

import (
	"testing"
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/metrics"
	"github.com/stretchr/testify/assert"
)

// signals returns n informational events at ts in facility fac.
func signals(n int, ts time.Time, fac string) []E {
	out := make([]E, n)
	for i := range out {
		out[i] = E{Type: event.MetricComputed, At: ts, Facility: fac}
	}
	return out
}

func TestCrossEnginePerformance(t *testing.T) {
	engines := func(task, signal float64) map[string]float64 {
		m := map[string]float64{}
		for _, c := range event.Categories {
			m[c.Engine()] = 0
		}
		m["action-center"] = task
		m["operator-analytics"] = signal
		return m
	}
	tests := []struct {
		name   string
		events []E
		scope  metrics.Scope
		value  float64
		engine map[string]float64
		trend  metrics.Trend
		sample int
	}{
		{
			name: "empty", scope: tenantScope, engine: engines(0, 0),
			trend: metrics.Trend{Direction: "stable"},
		},
		{
			name: "edges: now-60s is previous, now is current",
			events: cat(
				signals(1, ago(time.Minute), ""),
				signals(1, now, ""),
				signals(1, ago(2*time.Minute), ""), // out of both
				[]E{{Type: event.TaskCreated, Entity: "t",
					At: ago(time.Minute - time.Nanosecond)}},
			),
			scope: tenantScope, value: 2, engine: engines(1, 1),
			trend:  metrics.Trend{Direction: "increasing", ChangeRate: 100},
			sample: 3,
		},
		{
			name:   "from zero is 100",
			events: signals(3, ago(time.Second), ""),
			scope:  tenantScope, value: 3, engine: engines(0, 3),
			trend:  metrics.Trend{Direction: "increasing", ChangeRate: 100},
			sample: 3,
		},
		{
			name: "ten percent down is stable",
			events: cat(
				signals(10, ago(90*time.Second), ""),
				signals(9, ago(30*time.Second), ""),
			),
			scope: tenantScope, value: 9, engine: engines(0, 9),
			trend:  metrics.Trend{Direction: "stable", ChangeRate: -10},
			sample: 19,
		},
		{
			name: "event's own facility narrows",
			events: cat(
				signals(4, ago(90*time.Second), "f1"),
				signals(2, ago(30*time.Second), "f1"),
				signals(7, ago(30*time.Second), "f2"),
			),
			scope: metrics.Scope{TenantID: "tenant-alpha", FacilityID: "f1"},
			value: 2, engine: engines(0, 2),
			trend:  metrics.Trend{Direction: "decreasing", ChangeRate: -50},
			sample: 6,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tn := tenantOf(t, tc.events...)

			m := compute(tn, metrics.CrossEnginePerformance, tc.scope)

			assert.Equal(t, tc.value, m.Value)
			assert.Equal(t, tc.engine, m.Breakdown["byEngine"])
			assert.Equal(t, &tc.trend, m.Trend)
			assert.Equal(t, tc.sample, m.Metadata.SampleSize)
			assert.Equal(t, 1, *m.WindowMinutes)
		})
	}
}

func TestTrendSignal(t *testing.T) {
	cats := func(task, signal float64) map[string]float64 {
		m := map[string]float64{}
		for _, c := range event.Categories {
			m[c.String()] = 0
		}
		m["task-lifecycle"] = task
		m["performance-signal"] = signal
		return m
	}
	tests := []struct {
		name   string
		events []E
		value  float64
		per    []float64
		cats   map[string]float64
		trend  metrics.Trend
	}{
		{
			name: "empty", per: []float64{0, 0, 0, 0, 0}, cats: cats(0, 0),
			trend: metrics.Trend{Direction: "stable"},
		},
		{
			// b = 1..5: value 3; slope = (4+1+0+1+4)/10 = 1;
			// rate = 1/3*100.
			name: "rising one a minute",
			events: cat(
				signals(1, ago(300*time.Second-time.Nanosecond), ""),
				signals(2, ago(180*time.Second), ""), // b2's right edge
				signals(3, ago(150*time.Second), ""),
				signals(4, ago(90*time.Second), ""),
				signals(5, now, ""),
				signals(9, ago(300*time.Second), ""), // left edge: out
			),
			value: 3, per: []float64{1, 2, 3, 4, 5}, cats: cats(0, 15),
			trend: metrics.Trend{Direction: "increasing", ChangeRate: 100.0 / 3},
		},
		{
			// b = 5,0,0,0,0: value 1; slope = (-2*4 + -1*-1 + 0 + 1*-1
			// + 2*-1)/10 = -1; rate -100.
			name: "all in the oldest minute",
			events: []E{
				{Type: event.TaskCreated, Entity: "a", At: ago(299 * time.Second)},
				{Type: event.TaskCreated, Entity: "b", At: ago(299 * time.Second)},
				{Type: event.TaskCreated, Entity: "c", At: ago(299 * time.Second)},
				{Type: event.TaskCreated, Entity: "d", At: ago(299 * time.Second)},
				{Type: event.TaskCreated, Entity: "e", At: ago(241 * time.Second)},
			},
			value: 1, per: []float64{5, 0, 0, 0, 0}, cats: cats(5, 0),
			trend: metrics.Trend{Direction: "decreasing", ChangeRate: -100},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tn := tenantOf(t, tc.events...)

			m := compute(tn, metrics.TrendSignal, tenantScope)

			assert.Equal(t, tc.value, m.Value)
			assert.Equal(t, tc.per, m.Breakdown["perMinute"])
			assert.Equal(t, tc.cats, m.Breakdown["byCategory"])
			assert.Equal(t, tc.trend.Direction, m.Trend.Direction)
			assert.InDelta(t, tc.trend.ChangeRate, m.Trend.ChangeRate, 1e-9)
			assert.Equal(t, int(tc.value*5), m.Metadata.SampleSize)
		})
	}
}
