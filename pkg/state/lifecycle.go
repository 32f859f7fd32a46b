package state

import (
	"strings"

	"github.com/opsmonitor/monitor/pkg/event"
)

// transition moves ev's entity through its life, or reports why it
// cannot: an orphan or a late transition changes no entity. sc is the
// counts of ev's scope key, which a new entity keeps.
func (t *Tenant) transition(ev *event.Event, sc *scopeCounts) Outcome {
	role := ev.Type.Role()
	if role == event.Informational {
		return Outcome{}
	}

	e := t.lookup(entityKey{ev.Category, ev.EntityID})
	switch {
	case e == nil && role == event.Opening:
		t.create(ev, sc)
		return Outcome{}
	case e == nil:
		return Outcome{Orphan: true}
	case e.closed || role == event.Opening:
		return Outcome{Late: true}
	}

	e.sc.open.count(e, -1)
	e.severity = ev.Severity
	e.status = ev.Type
	if role == event.Closing {
		t.finish(e, ev)
		return Outcome{}
	}
	t.progress(e, ev)
	e.sc.open.count(e, +1)
	t.open[e.cat].timers[e.slot] = t.timer(e)
	return Outcome{}
}

// lookup returns the entity under k, or nil when it was never opened or
// was closed longer ago than the retention allows (then it is forgotten
// here, even if trim has not reached it yet).
func (t *Tenant) lookup(k entityKey) *entity {
	e := t.entities[k]
	if e == nil {
		return nil
	}
	if e.closed && t.newest-e.closedAt > int64(t.cfg.ClosedRetention) {
		t.forget(e)
		return nil
	}
	return e
}

// forget drops a closed entity from the index, unless it was replaced.
func (t *Tenant) forget(e *entity) {
	k := entityKey{e.cat, e.id}
	if t.entities[k] == e {
		delete(t.entities, k)
	}
}

// create opens the entity of an opening event whose scope key has the
// counts sc.
func (t *Tenant) create(ev *event.Event, sc *scopeCounts) {
	e := &entity{
		id:       strings.Clone(ev.EntityID),
		sc:       sc,
		opened:   ev.Timestamp.UnixNano(),
		slaHours: ev.SLAHours,
		cat:      ev.Category,
		status:   ev.Type,
		severity: ev.Severity,
	}
	if ev.Category == event.TaskLifecycle {
		e.workCat = t.strs.get(ev.WorkCategory)
	}
	t.entities[entityKey{e.cat, e.id}] = e
	t.open[e.cat].add(e, t.timer(e))
	sc.open.count(e, +1)
}

// progress applies a progress event to an open entity.
func (t *Tenant) progress(e *entity, ev *event.Event) {
	switch ev.Type {
	case event.TaskAssigned, event.TaskInProgress:
		if ev.OperatorID != "" {
			t.assign(e, ev)
		}
	case event.AlertAcknowledged:
		if e.acked {
			return // only the first acknowledgement counts
		}
		at := ev.Timestamp.UnixNano()
		e.acked, e.ackAt = true, at
		t.acks.insert(ackRecord{at: at, latency: max(0, at-e.opened), alert: e})
	}
}

// assign makes ev's operator the task's assignee, recording the workload
// changes; naming the current assignee again changes nothing.
func (t *Tenant) assign(e *entity, ev *event.Event) {
	op := t.strs.get(ev.OperatorID)
	if op == e.assignee {
		return
	}
	at := ev.Timestamp.UnixNano()
	if e.assignee != "" {
		t.workload(e, at, e.assignee, -1)
	}
	t.workload(e, at, op, +1)
	e.assignee = op
}

// workload records a change of op's open assigned tasks.
func (t *Tenant) workload(e *entity, at int64, op string, delta int8) {
	t.changes.insert(change{
		at:         at,
		delta:      delta,
		operator:   op,
		facility:   e.sc.key.facility,
		federation: e.sc.key.federation,
	})
}

// finish closes an entity: it leaves the open set, gives back its
// assignee's workload, records a remediation's completion, and is queued
// to be forgotten after the retention.
func (t *Tenant) finish(e *entity, ev *event.Event) {
	at := ev.Timestamp.UnixNano()
	e.closed, e.closedAt = true, at
	t.open[e.cat].remove(e)
	t.closed.insert(closedRef{at: at, e: e})

	switch {
	case e.cat == event.TaskLifecycle && e.assignee != "":
		t.workload(e, at, e.assignee, -1)
	case IsRemediation(e.cat):
		t.completions.insert(completion{
			at:         at,
			dur:        max(0, at-e.opened),
			cat:        e.cat,
			facility:   e.sc.key.facility,
			federation: e.sc.key.federation,
		})
	}
}

// IsRemediation reports whether entities of category c are remediation
// items (metrics.md §5): audit findings, drifts, policy violations,
// outdated documents and simulation mismatches.
func IsRemediation(c event.Category) bool {
	switch c {
	case event.AuditFinding, event.DriftDetection, event.GovernanceLineage,
		event.DocumentationDrift, event.SimulationMismatch:
		return true
	}
	return false
}
