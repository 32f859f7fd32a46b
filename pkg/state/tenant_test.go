package state_test

import (
	"testing"
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/state"
	"github.com/opsmonitor/monitor/pkg/state/statetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 1, 21, 10, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

// E is short for statetest.E.
type E = statetest.E

const day = 24 * time.Hour

func TestApplyOutcomes(t *testing.T) {
	tests := []struct {
		name   string
		before []E
		ev     E
		want   state.Outcome
	}{
		{
			name: "opening creates",
			ev:   E{ID: "a", Type: event.TaskCreated, Entity: "t1", At: at(0)},
		},
		{
			name: "progress of never opened is orphan",
			ev:   E{ID: "a", Type: event.TaskAssigned, Entity: "t1", Operator: "op"},
			want: state.Outcome{Orphan: true},
		},
		{
			name: "closing of never opened is orphan",
			ev:   E{ID: "a", Type: event.DriftRemediated, Entity: "d1"},
			want: state.Outcome{Orphan: true},
		},
		{
			name: "same entity id in another category is another entity",
			before: []E{
				{ID: "a", Type: event.AlertDetected, Entity: "x", At: at(0)},
			},
			ev:   E{ID: "b", Type: event.TaskResolved, Entity: "x", At: at(1)},
			want: state.Outcome{Orphan: true},
		},
		{
			name: "second opening of open entity is late",
			before: []E{
				{ID: "a", Type: event.TaskCreated, Entity: "t1", At: at(0)},
			},
			ev:   E{ID: "b", Type: event.TaskCreated, Entity: "t1", At: at(1)},
			want: state.Outcome{Late: true},
		},
		{
			name: "event after close is late",
			before: []E{
				{ID: "a", Type: event.AlertDetected, Entity: "x", At: at(0)},
				{ID: "b", Type: event.AlertResolved, Entity: "x", At: at(1)},
			},
			ev:   E{ID: "c", Type: event.AlertAcknowledged, Entity: "x", At: at(2)},
			want: state.Outcome{Late: true},
		},
		{
			name: "exactly seven days after close is still late",
			before: []E{
				{ID: "a", Type: event.AlertDetected, Entity: "x", At: at(0)},
				{ID: "b", Type: event.AlertResolved, Entity: "x", At: at(time.Hour)},
			},
			ev: E{ID: "c", Type: event.AlertAcknowledged, Entity: "x",
				At: at(time.Hour + 7*day)},
			want: state.Outcome{Late: true},
		},
		{
			name: "closed entity forgotten after seven days is orphan",
			before: []E{
				{ID: "a", Type: event.AlertDetected, Entity: "x", At: at(0)},
				{ID: "b", Type: event.AlertResolved, Entity: "x", At: at(time.Hour)},
			},
			ev: E{ID: "c", Type: event.AlertAcknowledged, Entity: "x",
				At: at(time.Hour + 7*day + time.Nanosecond)},
			want: state.Outcome{Orphan: true},
		},
		{
			name: "forgotten by newest time of another category",
			before: []E{
				{ID: "a", Type: event.AlertDetected, Entity: "x", At: at(0)},
				{ID: "b", Type: event.AlertResolved, Entity: "x", At: at(0)},
				{ID: "c", Type: event.MetricComputed, At: at(8 * day)},
			},
			ev:   E{ID: "d", Type: event.AlertEscalated, Entity: "x", At: at(1)},
			want: state.Outcome{Orphan: true},
		},
		{
			name: "duplicate id in same category",
			before: []E{
				{ID: "a", Type: event.TaskCreated, Entity: "t1", At: at(0)},
			},
			ev:   E{ID: "a", Type: event.TaskResolved, Entity: "t1", At: at(1)},
			want: state.Outcome{Duplicate: true},
		},
		{
			name: "same id in another category is no duplicate",
			before: []E{
				{ID: "a", Type: event.TaskCreated, Entity: "t1", At: at(0)},
			},
			ev: E{ID: "a", Type: event.AlertDetected, Entity: "t1", At: at(1)},
		},
		{
			name: "informational is never orphan",
			ev:   E{ID: "a", Type: event.LineageUpdated, Entity: "p1"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := statetest.NewFeed(state.Config{})
			f.ApplyAll(tc.before...)

			got := f.Apply(tc.ev)

			assert.Equal(t, tc.want, got)
		})
	}
}

func TestCounters(t *testing.T) {
	f := statetest.NewFeed(state.Config{})
	f.Lag = 1500 * time.Millisecond
	f.ApplyAll(
		E{ID: "a", Type: event.TaskCreated, Entity: "t1", At: at(0)},
		E{ID: "a", Type: event.TaskCreated, Entity: "t1", At: at(0)},
		E{ID: "b", Type: event.TaskAssigned, Entity: "t9", Operator: "o", At: at(1)},
		E{ID: "c", Type: event.TaskCreated, Entity: "t1", At: at(2)},
		E{ID: "d", Type: event.WorkloadChanged, At: at(3 * time.Second)},
	)
	f.Tenant.Reject(event.ReasonTooLarge)
	f.Tenant.Reject(event.ReasonTenantLimit)
	f.Tenant.Reject(event.ReasonTenantLimit)

	h := f.Tenant.Health()

	assert.Equal(t, uint64(1), h.Duplicates)
	assert.Equal(t, uint64(1), h.Orphans)
	assert.Equal(t, uint64(1), h.LateTransitions)
	assert.Equal(t, uint64(1), h.Rejected[event.ReasonTooLarge])
	assert.Equal(t, uint64(2), h.Rejected[event.ReasonTenantLimit])
	assert.Equal(t, at(4500*time.Millisecond), h.LastReceived)
	assert.Equal(t, 1500*time.Millisecond, h.Lag)
	// Orphans and late ones are accepted: counted in totals; the
	// duplicate is not.
	assert.Equal(t, uint64(4), f.Tenant.Totals(state.Filter{}).Events)
}

func TestDedupWindow(t *testing.T) {
	f := statetest.NewFeed(state.Config{DedupWindow: 2})
	ev := func(id string) E {
		return E{ID: id, Type: event.MetricComputed, At: at(0)}
	}
	steps := []struct {
		id  string
		dup bool
	}{
		{"a", false}, {"b", false}, {"a", true}, {"c", false},
		{"a", false}, // a fell out of the window when c came
		{"b", false}, {"a", true}, {"c", false},
	}
	for i, s := range steps {
		got := f.Apply(ev(s.id))
		require.Equal(t, s.dup, got.Duplicate, "step %d (%s)", i, s.id)
	}
}

func TestAssignment(t *testing.T) {
	tests := []struct {
		name     string
		events   []E
		assignee string
		changes  []int // deltas, in order
	}{
		{
			name: "assigned sets assignee",
			events: []E{
				{Type: event.TaskAssigned, Operator: "op-1"},
			},
			assignee: "op-1",
			changes:  []int{+1},
		},
		{
			name: "naming current assignee again changes nothing",
			events: []E{
				{Type: event.TaskAssigned, Operator: "op-1"},
				{Type: event.TaskInProgress, Operator: "op-1"},
				{Type: event.TaskAssigned, Operator: "op-1"},
			},
			assignee: "op-1",
			changes:  []int{+1},
		},
		{
			name: "reassignment moves",
			events: []E{
				{Type: event.TaskAssigned, Operator: "op-1"},
				{Type: event.TaskAssigned, Operator: "op-2"},
			},
			assignee: "op-2",
			changes:  []int{+1, -1, +1},
		},
		{
			name: "in-progress with operator assigns",
			events: []E{
				{Type: event.TaskInProgress, Operator: "op-3"},
			},
			assignee: "op-3",
			changes:  []int{+1},
		},
		{
			name: "in-progress without operator keeps",
			events: []E{
				{Type: event.TaskAssigned, Operator: "op-1"},
				{Type: event.TaskInProgress},
			},
			assignee: "op-1",
			changes:  []int{+1},
		},
		{
			name: "closing an assigned task gives back",
			events: []E{
				{Type: event.TaskAssigned, Operator: "op-1"},
				{Type: event.TaskResolved},
				{Type: event.TaskAssigned, Operator: "op-2"}, // late
			},
			changes: []int{+1, -1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := statetest.NewFeed(state.Config{})
			f.Apply(E{Type: event.TaskCreated, Entity: "t1", At: at(0)})
			for i, e := range tc.events {
				e.Entity, e.At = "t1", at(time.Duration(i+1)*time.Second)
				f.Apply(e)
			}

			var assignee string
			for e := range f.Tenant.OpenEntities(event.TaskLifecycle) {
				assignee = e.Assignee()
			}
			var deltas []int
			for c := range f.Tenant.WorkloadChanges(at(-time.Hour), at(time.Hour)) {
				deltas = append(deltas, c.Delta)
			}

			assert.Equal(t, tc.assignee, assignee)
			assert.Equal(t, tc.changes, deltas)
		})
	}
}

func TestEntityFields(t *testing.T) {
	f := statetest.NewFeed(state.Config{})
	f.ApplyAll(
		E{Type: event.AlertDetected, Entity: "a1", At: at(time.Minute),
			Severity: event.Low, Facility: "f1", Federation: "n1", SLAHours: 2},
		// acknowledged before detection: latency 0
		E{Type: event.AlertAcknowledged, Entity: "a1", At: at(0),
			Severity: event.Medium, Facility: "f2"},
		E{Type: event.AlertAcknowledged, Entity: "a1", At: at(time.Hour)},
		E{Type: event.AlertEscalated, Entity: "a1", At: at(2 * time.Hour),
			Severity: event.Critical},
	)

	var got []state.Entity
	for e := range f.Tenant.OpenEntities(event.AlertLifecycle) {
		got = append(got, e)
	}
	var acks []state.Ack
	for a := range f.Tenant.Acks(at(-time.Hour), at(3*time.Hour)) {
		acks = append(acks, a)
	}

	require.Len(t, got, 1)
	e := got[0]
	assert.Equal(t, event.Critical, e.Severity())
	assert.Equal(t, event.AlertEscalated, e.Status())
	assert.Equal(t, "f1", e.FacilityID())
	assert.Equal(t, "n1", e.FederationID())
	assert.Equal(t, 2.0, f.Tenant.SLAHours(e))
	ackAt, ok := e.Acknowledged()
	assert.True(t, ok)
	assert.Equal(t, at(0), ackAt)
	require.Len(t, acks, 1)
	assert.Equal(t, time.Duration(0), acks[0].Latency)
	assert.Equal(t, event.Critical, acks[0].Alert.Severity())
}

func TestCompletions(t *testing.T) {
	f := statetest.NewFeed(state.Config{})
	f.ApplyAll(
		E{Type: event.FindingCreated, Entity: "f1", At: at(0), Facility: "x"},
		E{Type: event.RemediationStarted, Entity: "f1", At: at(time.Minute)},
		E{Type: event.RemediationCompleted, Entity: "f1", At: at(90 * time.Minute)},
		// closed before it opened: duration 0
		E{Type: event.DocOutdated, Entity: "d1", At: at(time.Hour)},
		E{Type: event.DocValidated, Entity: "d1", At: at(30 * time.Minute)},
	)

	var got []state.Completion
	for c := range f.Tenant.Completions(at(0), at(2*time.Hour)) {
		got = append(got, c)
	}

	want := []state.Completion{
		{At: at(30 * time.Minute), Category: event.DocumentationDrift},
		{At: at(90 * time.Minute), Duration: 90 * time.Minute,
			Category: event.AuditFinding, FacilityID: "x"},
	}
	assert.Equal(t, want, got)
}

func TestOperatorName(t *testing.T) {
	f := statetest.NewFeed(state.Config{})
	f.ApplyAll(
		E{Type: event.TaskCreated, Entity: "t1", Operator: "o1", OperatorName: "Al"},
		E{Type: event.TaskAssigned, Entity: "t1", Operator: "o1", OperatorName: "Alice"},
		E{Type: event.TaskAssigned, Entity: "t1", Operator: "o1"}, // no name
		E{Type: event.TaskAssigned, Entity: "zz", Operator: "o1", // orphan
			OperatorName: "Mallory"},
		E{Type: event.WorkloadChanged, Operator: "o2", OperatorName: "Bob"},
	)

	name1, ok1 := f.Tenant.OperatorName("o1")
	name2, ok2 := f.Tenant.OperatorName("o2")
	_, ok3 := f.Tenant.OperatorName("o3")

	assert.Equal(t, "Alice", name1)
	assert.True(t, ok1)
	assert.Equal(t, "Bob", name2)
	assert.True(t, ok2)
	assert.False(t, ok3)
}
