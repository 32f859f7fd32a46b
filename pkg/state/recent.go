package state

import (
	"iter"

	"github.com/opsmonitor/monitor/pkg/event"
)

// Recent is one event of the recent-events buffer.
type Recent struct {
	// Event is the accepted event, with its raw body. It is immutable.
	Event *event.Event
	// Seq is its sequence in the ingest stream.
	Seq uint64
}

func (r Recent) key() int64 { return int64(r.Seq) }

// remember puts ev into the recent-events buffer, which keeps the
// highest stream sequences. Events of different categories may come
// slightly out of sequence order, so the buffer is kept sorted; the
// choice of which events it holds then depends only on the set of events
// applied, as a rebuild needs.
func (t *Tenant) remember(ev *event.Event, seq uint64) {
	t.recent.insert(Recent{Event: ev, Seq: seq})
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
			if !yield(live[i]) {
				return
			}
		}
	}
}
