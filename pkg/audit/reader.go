package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/opsmonitor/monitor/pkg/event"
)

// Limits of Request.Limit.
const (
	DefaultLimit = 1000
	MaxLimit     = 10000
)

// fetchChunk bounds the messages of one fetch.
const fetchChunk = 1024

// Request selects audit entries of one tenant.
type Request struct {
	// TenantID is the tenant whose entries are read. Required.
	TenantID string
	// Types are entry types; empty means all.
	Types []string
	// Since is inclusive, Until exclusive, both on Entry.Time; zero
	// means open.
	Since, Until time.Time
	// UserID keeps only entries of this user when not empty. Entries
	// without a user (event-received) then never match.
	UserID string
	// Limit is the most entries of the page: 0 means 1000, at most
	// 10,000.
	Limit int
	// Cursor is the NextCursor of the previous page, or empty.
	Cursor string
	// MaxBytes bounds the page's encoded size in either format (JSON or
	// CSV with its header), typically the connection's max payload less
	// room for headers. 0 means no bound.
	MaxBytes int
}

// Page is one page of entries. An empty NextCursor means there are no
// more; a page may hold fewer entries than asked, or none, while
// NextCursor is not empty.
type Page struct {
	Entries    []Entry `json:"entries"`
	NextCursor string  `json:"nextCursor"`
}

// Reader pages through the audit streams. Safe for concurrent use: each
// Query uses its own ephemeral ordered consumer per stream, which the
// server removes 10 s after its last fetch.
type Reader struct {
	js  jetstream.JetStream
	cfg Config
}

// NewReader returns a Reader of cfg's streams. It fails with
// ErrInvalidConfig.
func NewReader(js jetstream.JetStream, cfg Config) (*Reader, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Reader{js: js, cfg: cfg.withDefaults()}, nil
}

// query is a validated Request.
type query struct {
	Request
	filters [numParts][]string
	start   cursor
}

// Query returns the next page of req. Entries come from the trail stream
// first, in ascending seq, then from the events stream (event-received),
// in ascending seq; the cursor says which stream and where, down to a
// position inside a batch. One call looks at most Config.MaxScan stored
// entries. A flawed request or cursor fails with an error wrapping
// ErrBadRequest; an entry that alone exceeds MaxBytes with
// ErrEntryTooLarge; otherwise the error is JetStream's or ctx's.
func (r *Reader) Query(ctx context.Context, req Request) (Page, error) {
	q, err := parseRequest(req)
	if err != nil {
		return Page{}, err
	}

	pb := pageBuilder{q: q, budget: r.cfg.MaxScan, size: pageOverhead}
	pb.page.Entries = []Entry{}
	for p := q.start.part; p < numParts; p++ {
		if q.filters[p] == nil {
			continue
		}
		start := cursor{part: p}
		if p == q.start.part {
			start = q.start
		}
		more, err := r.scanPart(ctx, &pb, start)
		if err != nil {
			return Page{}, err
		}
		if more {
			return pb.page, nil
		}
	}
	return pb.page, nil
}

// firstFetch is how many messages of the events stream a scan fetches
// first, before it knows how many entries a message holds.
const firstFetch = 16

// scanPart adds the entries of start's part from start on (seq 0: from
// Since or the first) to pb, and reports whether pb stopped before the
// part's end; then pb.page.NextCursor is set.
func (r *Reader) scanPart(ctx context.Context, pb *pageBuilder,
	start cursor) (bool, error) {
	p := start.part
	events := p == partEvents
	stream := r.cfg.Stream
	if events {
		stream = r.cfg.EventsStream
	}
	slack := r.cfg.TimeSlack

	startMsg, first := start.message()
	next := start.seq
	var since *time.Time
	if startMsg == 0 {
		startMsg, next = 1, 1
		if events {
			next = EventSeqFactor
		}
		if !pb.q.Since.IsZero() && slack >= 0 {
			t := pb.q.Since.Add(-slack)
			since = &t
		}
	}
	stopAt := time.Time{}
	if !pb.q.Until.IsZero() && slack >= 0 {
		stopAt = pb.q.Until.Add(slack)
	}

	sc, err := newScanner(ctx, r.js, stream, pb.q.filters[p], startMsg,
		since)
	if err != nil {
		return false, err
	}
	var es []Entry
	var msgs, entries int
	for {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		if pb.budget <= 0 {
			pb.page.NextCursor = cursor{part: p, seq: next}.String()
			return true, nil
		}

		batch, end, err := sc.fetch(pb.fetchSize(events, msgs, entries))
		if err != nil {
			return false, err
		}
		for _, m := range batch {
			if !stopAt.IsZero() && !m.stored.Before(stopAt) {
				return false, nil
			}
			skip := 0
			if m.seq == startMsg {
				skip = first
			}
			var ok bool
			es, ok = m.entries(es[:0], events, skip)
			msgs++
			entries += len(es)
			if !ok {
				pb.budget--
			}
			for i := range es {
				stop, err := pb.add(&es[i])
				if err != nil {
					return false, err
				}
				if stop {
					pb.page.NextCursor = cursor{part: p, seq: es[i].Seq}.String()
					return true, nil
				}
			}
			next = m.seq + 1
			if events {
				next *= EventSeqFactor
			}
		}
		if end {
			return false, nil
		}
	}
}

// pageBuilder collects one page within its limits.
type pageBuilder struct {
	q      query
	page   Page
	budget int
	size   int
}

// fetchSize is how many messages to fetch next: enough for the entries
// the page may still take and the budget allows, judged by the entries
// per message seen so far, between 1 and fetchChunk.
func (pb *pageBuilder) fetchSize(events bool, msgs, entries int) int {
	want := min(pb.budget, pb.q.Limit-len(pb.page.Entries)+1)
	switch {
	case !events:
	case msgs == 0 || entries == 0:
		want = min(want, firstFetch)
	default:
		per := max(entries/msgs, 1)
		want = (want + per - 1) / per
	}
	return max(min(want, fetchChunk), 1)
}

// add takes e into the page when it matches, and reports whether the
// page ends before e, so that e starts the next one: it is full, or the
// budget is spent.
func (pb *pageBuilder) add(e *Entry) (bool, error) {
	if pb.budget <= 0 {
		return true, nil
	}
	pb.budget--
	if !pb.q.match(e) {
		return false, nil
	}
	if len(pb.page.Entries) >= pb.q.Limit {
		return true, nil
	}

	if pb.q.MaxBytes > 0 {
		n, err := entrySize(e)
		if err != nil {
			return false, err
		}
		if pb.size+n > pb.q.MaxBytes {
			if len(pb.page.Entries) == 0 {
				return false, fmt.Errorf("%w: seq %d needs %d bytes",
					ErrEntryTooLarge, e.Seq, n+pageOverhead)
			}
			return true, nil
		}
		pb.size += n
	}
	pb.page.Entries = append(pb.page.Entries, *e)
	return false, nil
}

// entrySize bounds the bytes e adds to a page in either format.
func entrySize(e *Entry) (int, error) {
	data, err := marshalEntry(e)
	if err != nil {
		return 0, err
	}
	return max(len(data)+1, csvRowSize(e)), nil
}

// match applies the filters that subjects cannot express.
func (q *query) match(e *Entry) bool {
	switch {
	case e.TenantID != q.TenantID:
		return false
	case !q.Since.IsZero() && e.Time.Before(q.Since):
		return false
	case !q.Until.IsZero() && !e.Time.Before(q.Until):
		return false
	case q.UserID != "" && e.UserID != q.UserID:
		return false
	}
	return true
}

// parseRequest validates req and works out each part's filter subjects
// (nil: the part is skipped). Flaws wrap ErrBadRequest.
func parseRequest(req Request) (query, error) {
	q := query{Request: req}
	bad := func(format string, args ...any) (query, error) {
		return query{}, fmt.Errorf("%w: "+format,
			append([]any{ErrBadRequest}, args...)...)
	}

	switch {
	case !event.ValidName(req.TenantID):
		return bad("tenantId: not 1-64 characters of [A-Za-z0-9_-]")
	case req.Limit < 0 || req.Limit > MaxLimit:
		return bad("limit: not in 1-%d", MaxLimit)
	case req.MaxBytes < 0:
		return bad("maxBytes: negative")
	case !req.Since.IsZero() && !req.Until.IsZero() &&
		!req.Until.After(req.Since):
		return bad("until: not after since")
	}
	if q.Limit == 0 {
		q.Limit = DefaultLimit
	}

	if req.Cursor != "" {
		c, err := parseCursor(req.Cursor)
		if err != nil {
			return query{}, err
		}
		q.start = c
	}

	tenant := req.TenantID
	seen := map[Type]bool{}
	for _, s := range req.Types {
		t := Type(s)
		switch {
		case !t.Valid():
			return bad("types: unknown type %q", s)
		case seen[t]:
			return bad("types: %q repeated", s)
		}
		seen[t] = true
		if t == TypeEventReceived {
			q.filters[partEvents] = []string{EventsSubjectPrefix + tenant}
			continue
		}
		q.filters[partTrail] = append(q.filters[partTrail],
			LogSubjectPrefix+tenant+"."+s)
	}
	if len(req.Types) == 0 {
		q.filters[partTrail] = []string{LogSubjectPrefix + tenant + ".*"}
		q.filters[partEvents] = []string{EventsSubjectPrefix + tenant}
	}
	if req.UserID != "" {
		q.filters[partEvents] = nil
	}
	return q, nil
}
