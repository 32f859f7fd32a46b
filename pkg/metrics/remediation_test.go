package metrics_test

import (
	"testing"
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/metrics"
	"github.com/stretchr/testify/assert"
)

func TestRemediationTimeline(t *testing.T) {
	five := func(a, d, g, doc, s float64) map[string]float64 {
		return map[string]float64{"audit": a, "drift": d, "governance": g,
			"documentation": doc, "simulation": s}
	}
	events := []E{
		// open: one per stage
		{Type: event.FindingCreated, Entity: "f1", At: ago(3 * time.Hour)},
		{Type: event.FindingAcknowledged, Entity: "f1", At: ago(2 * time.Hour)},
		{Type: event.DriftDetected, Entity: "d1", At: ago(time.Hour), Facility: "x"},
		{Type: event.MismatchDetected, Entity: "s1", At: ago(time.Hour)},
		{Type: event.MismatchAnalyzed, Entity: "s1", At: ago(time.Minute)},
		// completed in window: 30 and 90 minutes, and one closed
		// before it opened (0)
		{Type: event.PolicyViolation, Entity: "p1", At: ago(2 * time.Hour)},
		{Type: event.PolicyResolved, Entity: "p1", At: ago(90 * time.Minute)},
		{Type: event.PolicyViolation, Entity: "p2", At: ago(3 * time.Hour)},
		{Type: event.PolicyResolved, Entity: "p2", At: ago(90 * time.Minute)},
		{Type: event.DocOutdated, Entity: "o1", At: ago(10 * time.Minute), Facility: "x"},
		{Type: event.DocValidated, Entity: "o1", At: ago(20 * time.Minute)},
		// completed on the window's left edge: out
		{Type: event.DriftDetected, Entity: "d2", At: ago(25 * time.Hour)},
		{Type: event.DriftRemediated, Entity: "d2", At: ago(24 * time.Hour)},
		// not a remediation item
		{Type: event.AlertDetected, Entity: "a1", At: ago(time.Hour)},
	}
	tests := []struct {
		name   string
		scope  metrics.Scope
		window int
		value  float64
		byCat  map[string]float64
		stage  map[string]float64
		done   map[string]float64
		mean   map[string]float64
		sample int
	}{
		{
			name: "tenant, default window", scope: tenantScope, value: 3,
			byCat:  five(1, 1, 0, 0, 1),
			stage:  map[string]float64{"open": 1, "acknowledged": 1, "in-progress": 1},
			done:   five(0, 0, 2, 1, 0),
			mean:   five(0, 0, 60, 0, 0),
			sample: 6,
		},
		{
			name: "facility x", scope: metrics.Scope{TenantID: "tenant-alpha", FacilityID: "x"},
			value:  1,
			byCat:  five(0, 1, 0, 0, 0),
			stage:  map[string]float64{"open": 1, "acknowledged": 0, "in-progress": 0},
			done:   five(0, 0, 0, 1, 0),
			mean:   five(0, 0, 0, 0, 0),
			sample: 2,
		},
		{
			name: "window of 25 hours takes the edge item", scope: tenantScope,
			window: 1500, value: 3,
			byCat:  five(1, 1, 0, 0, 1),
			stage:  map[string]float64{"open": 1, "acknowledged": 1, "in-progress": 1},
			done:   five(0, 1, 2, 1, 0),
			mean:   five(0, 60, 60, 0, 0),
			sample: 7,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tn := tenantOf(t, events...)
			opts := metrics.DefaultOptions()
			opts.WindowMinutes = tc.window

			m := metrics.Compute(tn, metrics.RemediationTimeline, tc.scope, now, opts)

			assert.Equal(t, tc.value, m.Value)
			assert.Equal(t, tc.byCat, m.Breakdown["byCategory"])
			assert.Equal(t, tc.stage, m.Breakdown["byStage"])
			assert.Equal(t, tc.done, m.Breakdown["completedInWindow"])
			assert.Equal(t, tc.mean, m.Breakdown["meanMinutesToRemediate"])
			assert.Equal(t, tc.sample, m.Metadata.SampleSize)
		})
	}
}
