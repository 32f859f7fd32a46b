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
	id         string
	facility   string // of the opening event
	federation string // of the opening event
	assignee   string // tasks: current assignee, empty when none
	workCat    string // tasks: payload.category, empty when absent
	opened     int64
	closedAt   int64
	ackAt      int64   // alerts: the acknowledgement, when acked
	slaHours   float64 // payload.slaHours of the opening event, 0 if none
	slot       int32   // index in the open set while open
	cat        event.Category
	status     event.Type // type of the latest applied event
	severity   event.Severity
	closed     bool
	acked      bool
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
func (v Entity) FacilityID() string { return v.e.facility }

// FederationID returns the federation of the opening event, empty if
// none.
func (v Entity) FederationID() string { return v.e.federation }

// In reports whether the entity's opening scope matches f.
func (v Entity) In(f Filter) bool {
	return f.Match(v.e.facility, v.e.federation)
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

// openSet lists the open entities of one category for iteration;
// removal swaps the last one into the hole, so both are O(1).
type openSet []*entity

// add appends e and records its slot.
func (s *openSet) add(e *entity) {
	e.slot = int32(len(*s))
	*s = append(*s, e)
}

// remove takes e out, moving the last entity into its slot.
func (s *openSet) remove(e *entity) {
	list := *s
	last := list[len(list)-1]
	list[e.slot] = last
	last.slot = e.slot
	list[len(list)-1] = nil
	*s = list[:len(list)-1]
	e.slot = -1
}

// unixTime turns Unix nanoseconds back into a UTC time.
func unixTime(ns int64) time.Time { return time.Unix(0, ns).UTC() }
