package state

import (
	"fmt"
	"math"

	"github.com/opsmonitor/monitor/pkg/event"
)

// maxTypes bounds the event type values a tally counts by; init checks
// that every type fits.
const maxTypes = 32

func init() {
	for _, c := range event.Categories {
		for _, typ := range event.TypesOf(c) {
			if typ >= maxTypes {
				panic(fmt.Sprintf("state: event type %d does not fit a tally", typ))
			}
		}
	}
}

// tally counts the open entities of one scope key, kept as entities open,
// change and close, so that the figures about open entities cost a pass
// over scope keys and operators instead of one over the entities. An
// entity is counted under its current status, severity and assignee:
// count(e, -1) before a change and count(e, +1) after it keeps every
// figure exact.
type tally struct {
	byType [maxTypes]int32 // by the type of the latest applied event
	bySev  [event.NumCategories][event.NumSeverities]int32
	// workCats counts open tasks by payload.category ("" when absent).
	// A category leaves the map when its count drops to zero.
	workCats map[string]int32
	// loads are the open assigned tasks per assignee; an operator
	// leaves the map when the count drops to zero.
	loads map[string]Load
}

// count adds d (+1 or -1) times e's contribution.
func (tl *tally) count(e *entity, d int32) {
	tl.byType[e.status] += d
	tl.bySev[e.cat][e.severity] += d
	if e.cat != event.TaskLifecycle {
		return
	}

	if tl.workCats == nil {
		tl.workCats = make(map[string]int32)
	}
	if n := tl.workCats[e.workCat] + d; n != 0 {
		tl.workCats[e.workCat] = n
	} else {
		delete(tl.workCats, e.workCat)
	}

	if e.assignee == "" {
		return
	}
	if tl.loads == nil {
		tl.loads = make(map[string]Load)
	}
	l := tl.loads[e.assignee]
	l.Tasks += int(d)
	l.BySeverity[e.severity] += int(d)
	if l.Tasks != 0 {
		tl.loads[e.assignee] = l
	} else {
		delete(tl.loads, e.assignee)
	}
}

// Load is one operator's open assigned tasks.
type Load struct {
	Tasks      int
	BySeverity [event.NumSeverities]int
}

// OpenCounts are counts of the open entities inside a Filter, matched by
// each entity's opening scope.
type OpenCounts struct {
	// Open is the number of open entities per category.
	Open [event.NumCategories]int
	// BySeverity splits Open by current severity.
	BySeverity [event.NumCategories][event.NumSeverities]int

	byType [maxTypes]int
}

// Status returns the number of open entities whose latest applied event
// has type typ.
func (c OpenCounts) Status(typ event.Type) int {
	if typ >= maxTypes {
		return 0
	}
	return c.byType[typ]
}

// OpenCounts returns the counts of open entities inside f. Cost: one pass
// over the tenant's scope keys.
func (t *Tenant) OpenCounts(f Filter) OpenCounts {
	var out OpenCounts
	for _, sc := range t.scopeList {
		if !f.Match(sc.key.facility, sc.key.federation) {
			continue
		}
		for typ, n := range sc.open.byType {
			out.byType[typ] += int(n)
		}
		for c, sevs := range sc.open.bySev {
			for s, n := range sevs {
				out.BySeverity[c][s] += int(n)
				out.Open[c] += int(n)
			}
		}
	}
	return out
}

// Loads returns the open assigned tasks inside f per assignee, operators
// with at least one. Cost: one pass over the scope keys and their
// operators.
func (t *Tenant) Loads(f Filter) map[string]Load {
	out := make(map[string]Load)
	for _, sc := range t.scopeList {
		if !f.Match(sc.key.facility, sc.key.federation) {
			continue
		}
		for op, l := range sc.open.loads {
			sum := out[op]
			sum.Tasks += l.Tasks
			for s, n := range l.BySeverity {
				sum.BySeverity[s] += n
			}
			out[op] = sum
		}
	}
	return out
}

// OpenWorkCategories returns the open tasks inside f per payload.category,
// "" for tasks without one, categories with at least one task.
func (t *Tenant) OpenWorkCategories(f Filter) map[string]int {
	out := make(map[string]int)
	for _, sc := range t.scopeList {
		if !f.Match(sc.key.facility, sc.key.federation) {
			continue
		}
		for c, n := range sc.open.workCats {
			out[c] += int(n)
		}
	}
	return out
}

// ScopeMask returns, appended to buf[:0], whether each scope key (by the
// index of Timer.Scope) is inside f.
func (t *Tenant) ScopeMask(f Filter, buf []bool) []bool {
	buf = buf[:0]
	for _, sc := range t.scopeList {
		buf = append(buf, f.Match(sc.key.facility, sc.key.federation))
	}
	return buf
}

// Timers returns the SLA timers of the open entities of category c; the
// entity of Timers(c)[i] is OpenAt(c, i). The slice is the state's own:
// read it, do not keep it past the next Apply.
func (t *Tenant) Timers(c event.Category) []Timer { return t.open[c].timers }

// OpenAt returns the open entity of category c at index i of Timers(c).
func (t *Tenant) OpenAt(c event.Category, i int) Entity {
	return Entity{t.open[c].list[i]}
}

// timer returns e's SLA timer as of its current severity.
func (t *Tenant) timer(e *entity) Timer {
	hours := e.slaHours
	if hours <= 0 {
		hours = t.cfg.SLAHours[e.severity]
	}
	thr := int64(math.Round(hours*3_600_000)) * 1_000_000
	return Timer{
		Deadline:  e.opened + thr,
		Threshold: thr,
		Scope:     e.sc.idx,
		Severity:  e.severity,
	}
}
