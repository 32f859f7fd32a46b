package state

import (
	"iter"
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
)

// ackRecord is an alert's acknowledgement: when, and how long after its
// detection. The alert itself is referenced so readers see its current
// severity.
type ackRecord struct {
	at      int64
	latency int64
	alert   *entity
}

func (r ackRecord) key() int64 { return r.at }

// completion is a remediation item's close.
type completion struct {
	at         int64
	dur        int64
	cat        event.Category
	facility   string
	federation string
}

func (r completion) key() int64 { return r.at }

// change is one step of an operator's workload.
type change struct {
	at         int64
	delta      int8
	operator   string
	facility   string
	federation string
}

func (r change) key() int64 { return r.at }

// Ack is an alert's acknowledgement, for response-latency.
type Ack struct {
	// At is the acknowledgement's timestamp.
	At time.Time
	// Latency is max(0, At - the detected event's timestamp).
	Latency time.Duration
	// Alert is the acknowledged alert, as it is now.
	Alert Entity
}

// Completion is a remediation item's close, for remediation-timeline.
type Completion struct {
	// At is the closing event's timestamp.
	At time.Time
	// Duration is max(0, At - the opening event's timestamp).
	Duration time.Duration
	// Category is the item's event category.
	Category event.Category
	// FacilityID and FederationID are the opening event's.
	FacilityID   string
	FederationID string
}

// WorkloadChange is a +1 or -1 step of one operator's open assigned
// tasks, for workload-delta.
type WorkloadChange struct {
	// At is the timestamp of the event that caused the change.
	At time.Time
	// OperatorID is the operator whose workload changed.
	OperatorID string
	// Delta is +1 or -1.
	Delta int
	// FacilityID and FederationID are those of the task's opening event.
	FacilityID   string
	FederationID string
}

// window converts (after, upTo] to nanosecond keys.
func window(after, upTo time.Time) (int64, int64) {
	return after.UnixNano(), upTo.UnixNano()
}

// Acks yields the acknowledgements with a timestamp in (after, upTo],
// oldest first. They are kept for 10080 minutes (plus the future
// tolerance) of event time.
func (t *Tenant) Acks(after, upTo time.Time) iter.Seq[Ack] {
	lo, hi := window(after, upTo)
	return func(yield func(Ack) bool) {
		for _, r := range t.acks.between(lo, hi) {
			a := Ack{unixTime(r.at), time.Duration(r.latency), Entity{r.alert}}
			if !yield(a) {
				return
			}
		}
	}
}

// AckCount returns how many acknowledgements Acks(after, upTo) yields,
// in O(log R).
func (t *Tenant) AckCount(after, upTo time.Time) int {
	lo, hi := window(after, upTo)
	return len(t.acks.between(lo, hi))
}

// Completions yields the remediation closes with a timestamp in
// (after, upTo], oldest first, kept as long as acknowledgements.
func (t *Tenant) Completions(after, upTo time.Time) iter.Seq[Completion] {
	lo, hi := window(after, upTo)
	return func(yield func(Completion) bool) {
		for _, r := range t.completions.between(lo, hi) {
			c := Completion{
				At:           unixTime(r.at),
				Duration:     time.Duration(r.dur),
				Category:     r.cat,
				FacilityID:   r.facility,
				FederationID: r.federation,
			}
			if !yield(c) {
				return
			}
		}
	}
}

// WorkloadChanges yields the workload changes stamped in (after, upTo],
// oldest first. They are kept for five minutes (plus the future
// tolerance) of event time.
func (t *Tenant) WorkloadChanges(after, upTo time.Time) iter.Seq[WorkloadChange] {
	lo, hi := window(after, upTo)
	return func(yield func(WorkloadChange) bool) {
		for _, r := range t.changes.between(lo, hi) {
			c := WorkloadChange{
				At:           unixTime(r.at),
				OperatorID:   r.operator,
				Delta:        int(r.delta),
				FacilityID:   r.facility,
				FederationID: r.federation,
			}
			if !yield(c) {
				return
			}
		}
	}
}
