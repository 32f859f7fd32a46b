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

// recentRing is the recent-events buffer: at most limit records in
// ascending stream sequence, in a ring that grows to limit and no further,
// so a busy tenant holds exactly limit records (a sorted series would
// hold up to twice as many between compactions).
type recentRing struct {
	buf   []recentRec // grows to max, then the ring
	start int         // index in buf of the oldest record
	n     int         // records held
}

// at returns the i-th oldest record.
func (r *recentRing) at(i int) *recentRec {
	j := r.start + i // i < len(buf) and start < len(buf): one wrap at most
	if j >= len(r.buf) {
		j -= len(r.buf)
	}
	return &r.buf[j]
}

// insert adds v in sequence order, keeping the limit highest sequences:
// when full, the oldest is dropped, or v itself when it is older still.
func (r *recentRing) insert(v recentRec, limit int) {
	if r.n == limit {
		if v.seq < r.at(0).seq {
			return
		}
		*r.at(0) = recentRec{} // let the collector have its body
		r.start = (r.start + 1) % len(r.buf)
		r.n--
	}
	if r.n == len(r.buf) {
		r.grow(limit)
	}

	// Events come nearly in sequence order: find v's place from the end.
	p := r.n
	for p > 0 && r.at(p-1).seq > v.seq {
		p--
	}
	for i := r.n; i > p; i-- {
		*r.at(i) = *r.at(i - 1)
	}
	*r.at(p) = v
	r.n++
}

// grow makes room for more records, up to limit in all.
func (r *recentRing) grow(limit int) {
	size := min(max(2*len(r.buf), 16), limit)
	buf := make([]recentRec, size)
	for i := range r.n {
		buf[i] = *r.at(i)
	}
	r.buf, r.start = buf, 0
}

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
	}, t.cfg.RecentEvents)
}

// RecentNewestFirst yields the recent-events buffer from the highest
// stream sequence down. Readers that want a few of the newest matching
// events stop early and reverse them.
func (t *Tenant) RecentNewestFirst() iter.Seq[Recent] {
	return func(yield func(Recent) bool) {
		for i := t.recent.n - 1; i >= 0; i-- {
			r := t.recent.at(i)
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
