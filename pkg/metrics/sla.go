package metrics

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/state"
)

// The statuses of an SLA timer, in the order of timerStatuses.
const (
	statusOK      = "ok"
	statusWarning = "warning"
	statusBreach  = "breach"
)

var (
	timerStatuses    = []string{statusOK, statusWarning, statusBreach}
	timerEntityTypes = []string{"task", "alert"} // by timerCats index
	timerCats        = [2]event.Category{event.TaskLifecycle, event.AlertLifecycle}
)

// timerStatus returns the index in timerStatuses of a timer with
// remaining and threshold nanoseconds: breach below 0, warning with 20%
// or less left. Integer arithmetic keeps the edges (remaining exactly 0,
// exactly 20% left) exact.
func timerStatus(remaining, threshold int64) int {
	switch {
	case remaining < 0:
		return 2
	case 5*remaining <= threshold:
		return 1
	}
	return 0
}

// timer is one SLA timer taken for slaCountdowns.
type timer struct {
	e         state.Entity
	remaining int64 // nanoseconds; negative when breached
	threshold int64 // nanoseconds
	alert     bool
}

// moreUrgent orders timers for slaCountdowns: smallest remaining, then
// alerts before tasks, then by entity id. It is a total order (an id is
// unique within its category), so the k most urgent are well defined.
func moreUrgent(a, b *timer) bool { return urgency(a, b) < 0 }

// urgency compares a and b in the order of moreUrgent: negative when a
// is more urgent, positive when b is.
func urgency(a, b *timer) int {
	switch {
	case a.remaining != b.remaining:
		return cmp.Compare(a.remaining, b.remaining)
	case a.alert != b.alert:
		if a.alert {
			return -1
		}
		return 1
	}
	return strings.Compare(a.e.ID(), b.e.ID())
}

// timerStats are the SLA timers of the open tasks and alerts in scope:
// counts by status, severity and entity type, and the top most urgent.
type timerStats struct {
	n        int
	byStatus [3]int
	bySev    [event.NumSeverities]int
	byType   [2]int
	// top holds the k most urgent timers, most urgent first.
	top []timer
	k   int
}

// walkTimers takes every timer in scope once, at now: O(E) over the
// dense timer slices without touching an entity, plus O(log k) for the
// few that enter the top k, where the bounded heap keeps the k most
// urgent (its root the least urgent of them).
func walkTimers(in input, k int) *timerStats {
	ts := &timerStats{k: k, top: make([]timer, 0, k)}
	mask := in.t.ScopeMask(in.f, nil)
	all := in.f == state.Filter{}
	now := in.now.UnixNano()

	for ci, c := range timerCats {
		for i, tm := range in.t.Timers(c) {
			if !all && !mask[tm.Scope] {
				continue
			}
			rem := tm.Deadline - now
			ts.n++
			ts.byStatus[timerStatus(rem, tm.Threshold)]++
			ts.bySev[tm.Severity]++
			ts.byType[ci]++
			if k == 0 {
				continue
			}
			if len(ts.top) == k && rem > ts.top[0].remaining {
				continue // cannot displace the least urgent kept
			}
			cand := timer{e: in.t.OpenAt(c, i), remaining: rem,
				threshold: tm.Threshold, alert: ci == 1}
			ts.offer(cand)
		}
	}

	slices.SortFunc(ts.top, func(a, b timer) int { return urgency(&a, &b) })
	return ts
}

// offer puts cand among the top k when it is more urgent than the least
// urgent kept, or when fewer than k are kept.
func (ts *timerStats) offer(cand timer) {
	h := ts.top
	if len(h) < ts.k {
		h = append(h, cand)
		for i := len(h) - 1; i > 0; { // sift up
			p := (i - 1) / 2
			if !moreUrgent(&h[p], &h[i]) {
				break
			}
			h[p], h[i] = h[i], h[p]
			i = p
		}
		ts.top = h
		return
	}
	if !moreUrgent(&cand, &h[0]) {
		return
	}
	h[0] = cand
	for i := 0; ; { // sift down: the least urgent child rises
		l, worst := 2*i+1, i
		if l < len(h) && moreUrgent(&h[worst], &h[l]) {
			worst = l
		}
		if r := l + 1; r < len(h) && moreUrgent(&h[worst], &h[r]) {
			worst = r
		}
		if worst == i {
			return
		}
		h[i], h[worst] = h[worst], h[i]
		i = worst
	}
}

// slaCountdown is metrics.md §3: one timer per open task and alert.
func slaCountdown(in input, m *Metric) {
	ts := in.timers(0)
	var status [3]float64
	for i, n := range ts.byStatus {
		status[i] = float64(n)
	}
	var sev [event.NumSeverities]float64
	for s, n := range ts.bySev {
		sev[s] = float64(n)
	}
	kinds := []float64{float64(ts.byType[0]), float64(ts.byType[1])}

	m.Value = float64(ts.n)
	m.Breakdown["byStatus"] = keyed(timerStatuses, status[:])
	m.Breakdown["bySeverity"] = bySeverity(sev)
	m.Breakdown["byEntityType"] = keyed(timerEntityTypes, kinds)
	m.Metadata.SampleSize = ts.n
}

// slaCountdowns returns the most urgent timers in scope, most urgent
// first.
func slaCountdowns(in input) []SLATimer {
	k := in.opts.slaTimers()
	top := in.timers(k).top
	top = top[:min(len(top), k)]

	out := make([]SLATimer, len(top))
	for i, tm := range top {
		typ := 0
		if tm.alert {
			typ = 1
		}
		out[i] = SLATimer{
			EntityID:           tm.e.ID(),
			EntityType:         timerEntityTypes[typ],
			Severity:           tm.e.Severity().String(),
			StartTime:          tm.e.OpenedAt(),
			SLAThresholdHours:  in.t.SLAHours(tm.e),
			TimeRemainingHours: float64(tm.remaining) / float64(time.Hour),
			Status:             timerStatuses[timerStatus(tm.remaining, tm.threshold)],
		}
		if op := tm.e.Assignee(); op != "" {
			out[i].OperatorID = op
			out[i].OperatorName, _ = in.t.OperatorName(op)
		}
	}
	return out
}
