package state

import (
	"iter"

	"github.com/opsmonitor/monitor/pkg/event"
)

// Recent is one event of the recent-events buffer: what a reader shows
// of it and what it filters it by.
type Recent struct {
	// Seq is its sequence in the ingest stream.
	Seq uint64
	// EventID is the envelope's eventId.
	EventID string
	// OperatorID is the event's operatorId, empty when it has none.
	OperatorID string
	// FacilityID and FederationID are the event's own scope, empty when
	// absent.
	FacilityID   string
	FederationID string
	// Category and Severity are the event's.
	Category event.Category
	Severity event.Severity
	// Raw is the body exactly as received. It is immutable.
	Raw []byte
}

// recentRec is the buffer's form of a Recent: the scope is its key's
// shared counts and the operator id is interned, so that the buffer holds
// the body and little else (not the decoded event with its strings).
type recentRec struct {
	seq uint64
	id  string
	op  string
	raw []byte
	sc  *scopeCounts
	cat event.Category
	sev event.Severity
}

func (r recentRec) key() int64 { return int64(r.seq) }

// remember puts ev into the recent-events buffer, which keeps the
// highest stream sequences. Events of different categories may come
// slightly out of sequence order, so the buffer is kept sorted; the
// choice of which events it holds then depends only on the set of events
// applied, as a rebuild needs. sc is the counts of ev's scope key.
func (t *Tenant) remember(ev *event.Event, seq uint64, sc *scopeCounts) {
	t.recent.insert(recentRec{
		seq: seq,
		id:  ev.ID,
		op:  t.strs.get(ev.OperatorID),
		raw: ev.Raw,
		sc:  sc,
		cat: ev.Category,
		sev: ev.Severity,
	})
	if extra := t.recent.len() - t.cfg.RecentEvents; extra > 0 {
		t.recent.dropFront(extra)
	}
}

// RecentNewestFirst yields the recent-events buffer from the highest
// stream sequence down. Readers that want a few of the newest matching
// events stop early and reverse them.
func (t *Tenant) RecentNewestFirst() iter.Seq[Recent] {
	return func(yield func(Recent) bool) {
		live := t.recent.live()
		for i := len(live) - 1; i >= 0; i-- {
			r := &live[i]
			v := Recent{
				Seq:          r.seq,
				EventID:      r.id,
				OperatorID:   r.op,
				FacilityID:   r.sc.key.facility,
				FederationID: r.sc.key.federation,
				Category:     r.cat,
				Severity:     r.sev,
				Raw:          r.raw,
			}
			if !yield(v) {
				return
			}
		}
	}
}
