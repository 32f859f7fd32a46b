package metrics_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/metrics"
	"github.com/stretchr/testify/assert"
)

// acked returns an alert detected at det and acknowledged at ack.
func acked(id string, s event.Severity, fac string, det, ack time.Time) []E {
	return []E{
		{Type: event.AlertDetected, Entity: id, Severity: s, At: det, Facility: fac},
		{Type: event.AlertAcknowledged, Entity: id, Severity: s, At: ack},
	}
}

func TestResponseLatency(t *testing.T) {
	pct := func(p50, p90, p99 float64) map[string]float64 {
		return map[string]float64{"p50": p50, "p90": p90, "p99": p99}
	}
	hundred := func() []E {
		var out []E
		for i := 1; i <= 100; i++ {
			ack := ago(time.Duration(i) * time.Second)
			det := ack.Add(-time.Duration(i) * time.Minute)
			out = append(out, acked(fmt.Sprintf("a%d", i), event.Low, "", det, ack)...)
		}
		return out
	}
	tests := []struct {
		name   string
		events []E
		scope  metrics.Scope
		window int
		value  float64
		bySev  map[string]float64
		pct    map[string]float64
		n      int
	}{
		{
			name: "empty", scope: tenantScope, bySev: sev(0, 0, 0, 0),
			pct: pct(0, 0, 0),
		},
		{
			name: "one sample",
			events: acked("a", event.High, "", ago(50*time.Minute),
				ago(20*time.Minute)),
			scope: tenantScope, value: 30, bySev: sev(0, 30, 0, 0),
			pct: pct(30, 30, 30), n: 1,
		},
		{
			name: "two samples: p50 is the smaller, p90 and p99 the larger",
			events: cat(
				acked("a", event.High, "", ago(50*time.Minute), ago(20*time.Minute)),
				acked("b", event.High, "", ago(20*time.Minute), ago(10*time.Minute)),
			),
			scope: tenantScope, value: 20, bySev: sev(0, 20, 0, 0),
			pct: pct(10, 30, 30), n: 2,
		},
		{
			name:   "hundred samples of 1..100 minutes",
			events: hundred(),
			scope:  tenantScope, value: 50.5, bySev: sev(0, 0, 0, 50.5),
			pct: pct(50, 90, 99), n: 100,
		},
		{
			name: "acknowledged before detection is latency 0",
			events: acked("a", event.Medium, "", ago(10*time.Minute),
				ago(20*time.Minute)),
			scope: tenantScope, bySev: sev(0, 0, 0, 0), pct: pct(0, 0, 0), n: 1,
		},
		{
			name: "window edges: on now-60m out, on now in",
			events: cat(
				acked("a", event.Low, "", ago(2*time.Hour), ago(time.Hour)),
				acked("b", event.Low, "", ago(6*time.Minute), now),
			),
			scope: tenantScope, value: 6, bySev: sev(0, 0, 0, 6),
			pct: pct(6, 6, 6), n: 1,
		},
		{
			name: "query window widens",
			events: cat(
				acked("a", event.Low, "", ago(2*time.Hour), ago(time.Hour)),
				acked("b", event.Low, "", ago(6*time.Minute), now),
			),
			scope: tenantScope, window: 61, value: 33,
			bySev: sev(0, 0, 0, 33), pct: pct(6, 60, 60), n: 2,
		},
		{
			name: "severity is the current one, facility the opening one",
			events: cat(
				acked("a", event.Low, "f1", ago(40*time.Minute), ago(30*time.Minute)),
				[]E{{Type: event.AlertEscalated, Entity: "a",
					Severity: event.Critical, At: ago(time.Minute), Facility: "f2"}},
				acked("b", event.Low, "f2", ago(40*time.Minute), ago(20*time.Minute)),
			),
			scope: metrics.Scope{TenantID: "tenant-alpha", FacilityID: "f1"},
			value: 10, bySev: sev(10, 0, 0, 0), pct: pct(10, 10, 10), n: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tn := tenantOf(t, tc.events...)
			opts := metrics.DefaultOptions()
			opts.WindowMinutes = tc.window

			m := metrics.Compute(tn, metrics.ResponseLatency, tc.scope, now, opts)

			want := tc.window
			if want == 0 {
				want = 60
			}
			assert.InDelta(t, tc.value, m.Value, 1e-9)
			assert.InDeltaMapValues(t, tc.bySev, m.Breakdown["bySeverity"], 1e-9)
			assert.InDeltaMapValues(t, tc.pct, m.Breakdown["percentiles"], 1e-9)
			assert.Equal(t, float64(tc.n), m.Breakdown["count"])
			assert.Equal(t, tc.n, m.Metadata.SampleSize)
			assert.Equal(t, want, *m.WindowMinutes)
		})
	}
}
