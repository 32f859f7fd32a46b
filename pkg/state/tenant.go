package state

import (
	"iter"
	"strings"
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
)

// Tenant is the state of one tenant, built from its accepted events. It
// is not safe for concurrent use: one goroutine owns it (see the package
// documentation).
type Tenant struct {
	id   string
	cfg  Config
	strs interner

	dedup    [event.NumCategories]dedup
	entities map[entityKey]*entity
	open     [event.NumCategories]openSet
	closed   series[closedRef] // closed entities, by close time

	scopeIdx  map[scopeKey]*scopeCounts
	scopeList []*scopeCounts // in order of first appearance

	acks        series[ackRecord]
	completions series[completion]
	changes     series[change]
	recent      recentRing
	names       map[string]string // operator id -> latest name

	newest       int64 // newest event timestamp, Unix ns
	seenAny      bool
	lastReceived time.Time
	lag          time.Duration

	duplicates uint64
	orphans    uint64
	late       uint64
	rejected   [event.NumReasons]uint64
}

// closedRef queues a closed entity for forgetting.
type closedRef struct {
	at int64
	e  *entity
}

func (r closedRef) key() int64 { return r.at }

// NewTenant returns the empty state of tenant id. The config should have
// passed Validate; its zero fields take their defaults.
func NewTenant(id string, cfg Config) *Tenant {
	return &Tenant{
		id:       id,
		cfg:      cfg.withDefaults(),
		strs:     make(interner),
		entities: make(map[entityKey]*entity),
		scopeIdx: make(map[scopeKey]*scopeCounts),
		names:    make(map[string]string),
	}
}

// ID returns the tenant id.
func (t *Tenant) ID() string { return t.id }

// Config returns the tenant's config with defaults filled in.
func (t *Tenant) Config() Config { return t.cfg }

// Apply de-duplicates ev, then applies it: it counts it, buffers it and
// moves its entity through its life (events.md, "Entities and their
// life"). The Outcome says whether it was a duplicate (then nothing else
// changed), an orphan or a late transition. Events of one category must
// come in stream order.
func (t *Tenant) Apply(ev *event.Event, meta event.Meta) Outcome {
	h := hashID(ev.ID)
	d := &t.dedup[ev.Category]
	if d.has(h) {
		t.duplicates++
		return Outcome{Duplicate: true}
	}
	d.add(h, t.cfg.DedupWindow)

	t.observe(ev, meta)
	sc := t.scopeOf(ev)
	sc.count(ev, t.bucketFloor())
	t.remember(ev, meta.StreamSeq, sc)

	out := t.transition(ev, sc)
	switch {
	case out.Orphan:
		t.orphans++
	case out.Late:
		t.late++
	default:
		t.learnName(ev)
	}
	return out
}

// Reject counts a message of this tenant rejected for reason r.
func (t *Tenant) Reject(r event.Reason) {
	if r < event.NumReasons {
		t.rejected[r]++
	}
}

// observe notes ev's times: the newest event time, which ages windowed
// data, and the receipt of the latest event, for stream health.
func (t *Tenant) observe(ev *event.Event, meta event.Meta) {
	if !meta.Received.Before(t.lastReceived) {
		t.lastReceived = meta.Received
		t.lag = meta.Received.Sub(ev.Timestamp)
	}

	ts := ev.Timestamp.UnixNano()
	if t.seenAny && ts <= t.newest {
		return
	}
	t.newest, t.seenAny = ts, true
	t.trim()
}

// trim forgets what no reader can ask for any more, now that the newest
// event time has advanced. Per-second buckets are trimmed lazily, per
// scope key, when they are next counted into.
func (t *Tenant) trim() {
	tol := int64(t.cfg.FutureTolerance + retentionSlack)
	t.acks.dropBelow(t.newest - int64(recordWindow) - tol)
	t.completions.dropBelow(t.newest - int64(recordWindow) - tol)
	t.changes.dropBelow(t.newest - int64(changeWindow) - tol)

	cutoff := t.newest - int64(t.cfg.ClosedRetention)
	n := 0
	for _, r := range t.closed.live() {
		if r.at >= cutoff {
			break
		}
		t.forget(r.e)
		n++
	}
	t.closed.dropFront(n)
}

// bucketFloor returns the oldest second of event counts still kept.
func (t *Tenant) bucketFloor() int64 {
	keep := countWindow + t.cfg.FutureTolerance + retentionSlack
	return t.newest/int64(time.Second) - int64(keep/time.Second)
}

// learnName remembers the operator name an applied event carries.
func (t *Tenant) learnName(ev *event.Event) {
	if ev.OperatorID == "" || ev.OperatorName == "" {
		return
	}
	op := t.strs.get(ev.OperatorID)
	if t.names[op] != ev.OperatorName {
		t.names[op] = strings.Clone(ev.OperatorName)
	}
}

// OperatorName returns the name carried by the latest applied event with
// operator id op and a name, and false when there was none.
func (t *Tenant) OperatorName(op string) (string, bool) {
	n, ok := t.names[op]
	return n, ok
}

// SLAHours returns e's SLA threshold in hours: its opening event's
// payload.slaHours, else the configured hours of its current severity.
func (t *Tenant) SLAHours(e Entity) float64 {
	if h := e.SLAHours(); h > 0 {
		return h
	}
	return t.cfg.SLAHours[e.Severity()]
}

// OpenEntities yields the open entities of category c, in no
// particular order. Apply must not be called while iterating.
func (t *Tenant) OpenEntities(c event.Category) iter.Seq[Entity] {
	return func(yield func(Entity) bool) {
		for _, e := range t.open[c].list {
			if !yield(Entity{e}) {
				return
			}
		}
	}
}

// OpenCount returns the number of open entities of category c.
func (t *Tenant) OpenCount(c event.Category) int { return len(t.open[c].list) }
