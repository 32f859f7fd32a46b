package state_test

import (
	"testing"
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/state"
	"github.com/opsmonitor/monitor/pkg/state/statetest"
	"github.com/stretchr/testify/assert"
)

func TestEventCounts(t *testing.T) {
	f := statetest.NewFeed(state.Config{})
	f.ApplyAll(
		// on the left edge of (now-60s, now]: outside
		E{Type: event.MetricComputed, At: at(0), Facility: "f1"},
		// just inside
		E{Type: event.MetricComputed, At: at(time.Nanosecond), Facility: "f1"},
		E{Type: event.TaskCreated, Entity: "t", At: at(30 * time.Second),
			Facility: "f2", Federation: "n"},
		// on the right edge: inside
		E{Type: event.AlertDetected, Entity: "a", At: at(time.Minute),
			Federation: "n"},
		// after now: outside
		E{Type: event.AlertDetected, Entity: "b",
			At: at(time.Minute + time.Millisecond)},
		// far in the past, out of order: only in totals
		E{Type: event.AlertDetected, Entity: "c", At: at(-time.Hour)},
	)
	now := at(time.Minute)
	tests := []struct {
		name   string
		filter state.Filter
		want   [event.NumCategories]uint64
		total  uint64
	}{
		{"tenant", state.Filter{}, [8]uint64{1, 1, 7: 1}, 6},
		{"facility", state.Filter{FacilityID: "f1"}, [8]uint64{7: 1}, 2},
		{"federation", state.Filter{FederationID: "n"}, [8]uint64{1, 1}, 2},
		{"both", state.Filter{FacilityID: "f2", FederationID: "n"},
			[8]uint64{1}, 1},
		{"no match", state.Filter{FacilityID: "f1", FederationID: "n"},
			[8]uint64{}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := f.Tenant.EventCounts(tc.filter, now.Add(-time.Minute), now)
			totals := f.Tenant.Totals(tc.filter)

			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.total, totals.Events)
		})
	}
}

func TestRecentOrder(t *testing.T) {
	f := statetest.NewFeed(state.Config{RecentEvents: 3})
	for _, seq := range []uint64{1, 2, 5, 4, 3, 7, 6} {
		f.Seq = seq - 1
		f.Apply(E{Type: event.MetricComputed, At: at(0)})
	}

	var got []uint64
	for r := range f.Tenant.RecentNewestFirst() {
		got = append(got, r.Seq)
	}

	assert.Equal(t, []uint64{7, 6, 5}, got)
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  state.Config
		ok   bool
	}{
		{"zero", state.Config{}, true},
		{"negative window", state.Config{DedupWindow: -1}, false},
		{"negative retention", state.Config{ClosedRetention: -1}, false},
		{"negative buffer", state.Config{RecentEvents: -1}, false},
		{"negative tolerance", state.Config{FutureTolerance: -1}, false},
		{"sla too big", state.Config{SLAHours: [4]float64{8761}}, false},
		{"sla ok", state.Config{SLAHours: [4]float64{1, 2, 3, 8760}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()

			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, state.ErrInvalidConfig)
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	cfg := state.NewTenant("x", state.Config{}).Config()

	assert.Equal(t, 4096, cfg.DedupWindow)
	assert.Equal(t, 7*day, cfg.ClosedRetention)
	assert.Equal(t, 1000, cfg.RecentEvents)
	assert.Equal(t, [4]float64{4, 8, 24, 72}, cfg.SLAHours)
	assert.Equal(t, 5*time.Minute, cfg.FutureTolerance)
}
