package state

import (
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
)

// bucket counts the events of one second of event time, by category. Its
// second is the ceiling of the event timestamps, so the half-open window
// (now-w, now] with a whole-second now is exactly the buckets
// now-w+1 ... now.
type bucket struct {
	sec int64
	n   [event.NumCategories]uint32
}

func (b bucket) key() int64 { return b.sec }

// scopeKey is an event's own (facility, federation) pair, interned.
type scopeKey struct{ facility, federation string }

// scopeCounts holds the event counts of one scope key: sparse per-second
// buckets for the short windows and all-time totals. Event figures match
// a query scope by the event's own scope, hence one per key.
type scopeCounts struct {
	key        scopeKey
	idx        int32 // position in Tenant.scopeList
	open       tally // open entities whose opening event had this key
	buckets    series[bucket]
	total      uint64
	byCategory [event.NumCategories]uint64
	bySeverity [event.NumSeverities]uint64
}

// Totals are all-time event counts of a tenant, narrowed by a Filter.
type Totals struct {
	Events     uint64
	ByCategory [event.NumCategories]uint64
	BySeverity [event.NumSeverities]uint64
}

// ceilSecond returns the Unix second at or after t.
func ceilSecond(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

// count adds ev to the totals and, unless it is older than anything kept,
// to its second's bucket. floor is the oldest second still kept.
func (sc *scopeCounts) count(ev *event.Event, floor int64) {
	sc.total++
	sc.byCategory[ev.Category]++
	sc.bySeverity[ev.Severity]++

	sec := ceilSecond(ev.Timestamp)
	if sec < floor {
		return // outside every window any reader can ask for
	}
	sc.buckets.dropBelow(floor)
	i := sc.buckets.after(sec)
	live := sc.buckets.live()
	if i > 0 && live[i-1].sec == sec {
		live[i-1].n[ev.Category]++
		return
	}
	b := sc.buckets.insertAt(i, bucket{sec: sec})
	b.n[ev.Category]++
}

// addWindow adds to out the counts of the buckets in [lo, hi].
func (sc *scopeCounts) addWindow(out *[event.NumCategories]uint64, lo, hi int64) {
	for _, b := range sc.buckets.between(lo-1, hi) {
		for c, n := range b.n {
			out[c] += uint64(n)
		}
	}
}

// scopeOf returns the counts of ev's scope key, creating them.
func (t *Tenant) scopeOf(ev *event.Event) *scopeCounts {
	k := scopeKey{ev.FacilityID, ev.FederationID}
	if sc, ok := t.scopeIdx[k]; ok {
		return sc
	}
	k = scopeKey{t.strs.get(k.facility), t.strs.get(k.federation)}
	sc := &scopeCounts{key: k, idx: int32(len(t.scopeList))}
	t.scopeIdx[k] = sc
	t.scopeList = append(t.scopeList, sc)
	return sc
}

// EventCounts returns, per category, the accepted events inside f with a
// timestamp in (after, upTo]. Both bounds are truncated to the second;
// with whole-second bounds the count is exact on full-precision
// timestamps. Only about the last five minutes (plus the future
// tolerance) before the newest event time are kept; older seconds count
// zero.
func (t *Tenant) EventCounts(f Filter, after, upTo time.Time) [event.NumCategories]uint64 {
	var out [event.NumCategories]uint64
	lo, hi := after.Unix()+1, upTo.Unix()
	for _, sc := range t.scopeList {
		if f.Match(sc.key.facility, sc.key.federation) {
			sc.addWindow(&out, lo, hi)
		}
	}
	return out
}

// EventCountsByMinute sets out[k], per category, to the accepted events
// inside f with a timestamp in (upTo - (k+1) min, upTo - k min], for
// every k < len(out): EventCounts of each minute before upTo, in one
// pass over the kept seconds. upTo is truncated to the second.
func (t *Tenant) EventCountsByMinute(f Filter, upTo time.Time,
	out [][event.NumCategories]uint64) {
	clear(out)
	hi := upTo.Unix()
	lo := hi - 60*int64(len(out)) + 1
	for _, sc := range t.scopeList {
		if !f.Match(sc.key.facility, sc.key.federation) {
			continue
		}
		for _, b := range sc.buckets.between(lo-1, hi) {
			m := &out[(hi-b.sec)/60]
			for c, n := range b.n {
				m[c] += uint64(n)
			}
		}
	}
}

// Totals returns the all-time counts of accepted events inside f.
func (t *Tenant) Totals(f Filter) Totals {
	var out Totals
	for _, sc := range t.scopeList {
		if !f.Match(sc.key.facility, sc.key.federation) {
			continue
		}
		out.Events += sc.total
		for c, n := range sc.byCategory {
			out.ByCategory[c] += n
		}
		for s, n := range sc.bySeverity {
			out.BySeverity[s] += n
		}
	}
	return out
}
