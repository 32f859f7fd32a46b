package state

import (
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
)

// entityKey identifies an entity within a tenant.
type entityKey struct {
	cat event.Category
	id  string
}

// entity is a task, alert or remediation item. Strings other than id are
// interned; times are Unix nanoseconds of event time.
type entity struct {
	id       string
	sc       *scopeCounts // the opening event's scope key and its tallies
	assignee string       // tasks: current assignee, empty when none
	workCat  string       // tasks: payload.category, empty when absent
	opened   int64
	closedAt int64
	ackAt    int64   // alerts: the acknowledgement, when acked
	slaHours float64 // payload.slaHours of the opening event, 0 if none
	slot     int32   // index in the open set while open
	cat      event.Category
	status   event.Type // type of the latest applied event
	severity event.Severity
	closed   bool
	acked    bool
}

// Entity is a read-only view of a task, alert or remediation item. It is
// valid only on the tenant's goroutine, like the Tenant itself.
type Entity struct{ e *entity }

// ID returns the entity id.
func (v Entity) ID() string { return v.e.id }

// Category returns the entity's event category.
func (v Entity) Category() event.Category { return v.e.cat }

// Severity returns the severity of the latest applied event.
func (v Entity) Severity() event.Severity { return v.e.severity }

// Status returns the type of the latest applied event.
func (v Entity) Status() event.Type { return v.e.status }

// FacilityID returns the facility of the opening event, empty if none.
func (v Entity) FacilityID() string { return v.e.sc.key.facility }

// FederationID returns the federation of the opening event, empty if
// none.
func (v Entity) FederationID() string { return v.e.sc.key.federation }

// In reports whether the entity's opening scope matches f.
func (v Entity) In(f Filter) bool {
	return f.Match(v.e.sc.key.facility, v.e.sc.key.federation)
}

// Assignee returns a task's current assignee, empty when unassigned.
func (v Entity) Assignee() string { return v.e.assignee }

// WorkCategory returns a task's payload.category, empty when absent.
func (v Entity) WorkCategory() string { return v.e.workCat }

// OpenedAt returns the opening event's timestamp.
func (v Entity) OpenedAt() time.Time { return unixTime(v.e.opened) }

// SLAHours returns the opening event's payload.slaHours, 0 when absent
// (Tenant.SLAHours resolves the default).
func (v Entity) SLAHours() float64 { return v.e.slaHours }

// Open reports whether the entity is still open.
func (v Entity) Open() bool { return !v.e.closed }

// Acknowledged returns an alert's acknowledgement time, and false when it
// has none.
func (v Entity) Acknowledged() (time.Time, bool) {
	if !v.e.acked {
		return time.Time{}, false
	}
	return unixTime(v.e.ackAt), true
}

// Timer is the SLA clock of an open entity, kept in a dense slice next
// to the open set so that a reader can take every timer's status at a
// time now without touching the entities: remaining = Deadline - now;
// breached below 0, warning when 5 * remaining <= Threshold.
type Timer struct {
	// Deadline is the opening timestamp plus Threshold, Unix ns.
	Deadline int64
	// Threshold is round(hours * 3,600,000) milliseconds, in ns, of the
	// entity's SLA hours (Tenant.SLAHours) as of its latest event.
	Threshold int64
	// Scope is the index of the opening event's scope key; see
	// Tenant.ScopeMask.
	Scope int32
	// Severity is the entity's current severity.
	Severity event.Severity
}

// openSet lists the open entities of one category for iteration, with
// their timers at the same index; removal swaps the last one into the
// hole, so both are O(1).
type openSet struct {
	list   []*entity
	timers []Timer
}

// add appends e with its timer tm and records its slot.
func (s *openSet) add(e *entity, tm Timer) {
	e.slot = int32(len(s.list))
	s.list = append(s.list, e)
	s.timers = append(s.timers, tm)
}

// remove takes e out, moving the last entity into its slot.
func (s *openSet) remove(e *entity) {
	n := len(s.list) - 1
	last := s.list[n]
	s.list[e.slot] = last
	s.timers[e.slot] = s.timers[n]
	last.slot = e.slot
	s.list[n] = nil
	s.list, s.timers = s.list[:n], s.timers[:n]
	e.slot = -1
}

// unixTime turns Unix nanoseconds back into a UTC time.
func unixTime(ns int64) time.Time { return time.Unix(0, ns).UTC() }
