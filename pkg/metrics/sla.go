package metrics

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/state"
)

// The statuses of an SLA timer.
const (
	statusOK      = "ok"
	statusWarning = "warning"
	statusBreach  = "breach"
)

// timer is the SLA timer of one open task or alert.
type timer struct {
	e         state.Entity
	alert     bool
	hours     float64 // threshold as configured or given
	remaining int64   // nanoseconds; negative when breached
	status    string
}

// entityType returns "alert" or "task", from the category.
func (tm timer) entityType() string {
	if tm.alert {
		return "alert"
	}
	return "task"
}

// thresholdMillis is round(hours * 3,600,000), metrics.md §3.
func thresholdMillis(hours float64) int64 {
	return int64(math.Round(hours * 3_600_000))
}

// newTimer computes e's timer at now. The arithmetic is on integer
// nanoseconds, so the edges (remaining exactly 0, exactly 20% left) are
// exact.
func newTimer(t *state.Tenant, e state.Entity, now time.Time) timer {
	hours := t.SLAHours(e)
	threshold := thresholdMillis(hours) * int64(time.Millisecond)
	rem := e.OpenedAt().UnixNano() + threshold - now.UnixNano()

	status := statusOK
	switch {
	case rem < 0:
		status = statusBreach
	case 5*rem <= threshold:
		status = statusWarning
	}
	return timer{
		e:         e,
		alert:     e.Category() == event.AlertLifecycle,
		hours:     hours,
		remaining: rem,
		status:    status,
	}
}

// eachTimer calls fn with the timer of every open task and alert in
// scope, in no particular order. Cost: one pass over the open tasks and
// alerts, without allocating.
func eachTimer(in input, fn func(timer)) {
	for _, c := range [...]event.Category{event.TaskLifecycle, event.AlertLifecycle} {
		for e := range in.t.OpenEntities(c) {
			if e.In(in.f) {
				fn(newTimer(in.t, e, in.now))
			}
		}
	}
}

// timers returns the timers of eachTimer as a slice.
func timers(in input) []timer {
	out := make([]timer, 0, in.t.OpenCount(event.TaskLifecycle)+
		in.t.OpenCount(event.AlertLifecycle))
	eachTimer(in, func(tm timer) { out = append(out, tm) })
	return out
}

// sortTimers orders timers most urgent first: smallest remaining, then
// alerts before tasks, then by entity id.
func sortTimers(ts []timer) {
	slices.SortFunc(ts, func(a, b timer) int {
		if c := cmp.Compare(a.remaining, b.remaining); c != 0 {
			return c
		}
		if a.alert != b.alert {
			if a.alert {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.e.ID(), b.e.ID())
	})
}

var (
	timerStatuses    = []string{statusOK, statusWarning, statusBreach}
	timerEntityTypes = []string{"task", "alert"}
)

// slaCountdown is metrics.md §3: one timer per open task and alert.
func slaCountdown(in input, m *Metric) {
	status := make([]float64, len(timerStatuses))
	kinds := make([]float64, len(timerEntityTypes))
	var sev [event.NumSeverities]float64
	n := 0
	eachTimer(in, func(tm timer) {
		status[slices.Index(timerStatuses, tm.status)]++
		kinds[slices.Index(timerEntityTypes, tm.entityType())]++
		sev[tm.e.Severity()]++
		n++
	})

	m.Value = float64(n)
	m.Breakdown["byStatus"] = keyed(timerStatuses, status)
	m.Breakdown["bySeverity"] = bySeverity(sev)
	m.Breakdown["byEntityType"] = keyed(timerEntityTypes, kinds)
	m.Metadata.SampleSize = n
}
