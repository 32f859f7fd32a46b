// Package audit keeps the monitor's audit trail in JetStream: who asked
// for what, what policy decided, which metrics were computed, which
// messages were rejected, and which events arrived.
//
// # Streams and subjects
//
// Provision creates two streams. MONITOR_AUDIT (30 days by default) is the
// security trail, on monitor.audit.log.<tenantId>.<type> for every type
// but event-received. MONITOR_AUDIT_EVENTS (24 hours by default) holds the
// compact event-received entries on monitor.audit.events.<tenantId>, so
// their volume never evicts the trail. The request endpoint
// monitor.audit.<tenantId> has three tokens, stored subjects four or five,
// so the two never meet, whatever the tenant is called. Only the monitor
// should be allowed to publish under monitor.audit.log.> and
// monitor.audit.events.>.
//
// # Usage
//
//	if err := audit.Provision(ctx, js, audit.Config{}); err != nil { ... }
//	tally := audit.NewTally(audit.TallyConfig{})
//	if err := tally.Rebuild(ctx, js, audit.Config{}); err != nil { ... }
//	w, _ := audit.NewWriter(js, audit.WriterConfig{Tally: tally})
//	_ = w.Start()
//	defer w.Close(shutdownCtx)
//
//	w.Record(audit.Entry{Type: audit.TypePolicyDecision, TenantID: "t1",
//		UserID: "u1", Decision: audit.DecisionAllowed})
//
//	r, _ := audit.NewReader(js, audit.Config{})
//	page, err := r.Query(ctx, audit.Request{TenantID: "t1"})
//	_ = audit.WriteJSON(out, page)
//
// Authentication failures go through an AuthFailureLimiter's Admit
// before Record, so that nobody can flood a tenant's trail.
//
// # Event-received batches
//
// Every accepted event makes an event-received entry, so at ingest rates
// these entries are stored compactly and in batches: the Writer keeps
// one open batch per tenant and stores it as one message of
// MONITOR_AUDIT_EVENTS, on monitor.audit.events.<tenantId>, when it
// holds WriterConfig.EventBatchRecords records (1,000) or
// EventBatchBytes (64 KiB), or is FlushInterval (1 s) old, and on
// Close. A record keeps the entry's time, category, event id, stream
// sequence and, when Record was given one, its id; the tenant is the
// subject's. The server so stores one message per hundreds of events
// instead of one per event, and an entry is readable at most about
// FlushInterval after it was recorded. Readers expand each batch back
// into entries with every field of api.md. An entry's id is its own, or
// else the batch's Nats-Msg-Id, "-" and its position, so it is unique
// and the same on every read. Messages holding one JSON entry, as
// stored before batching, are still read.
//
// # Paging
//
// A page lists matching entries of the trail stream in ascending seq,
// then those of the events stream in ascending seq. A trail entry's seq
// is its message's stream sequence. An event-received entry's seq is
// its batch message's stream sequence times EventSeqFactor (10,000)
// plus its position in the batch: unique and ascending, and seq /
// 10,000 is the message to look up in the stream. The cursor names the
// stream and the seq of the next entry, so a page may end inside a
// batch and the next one starts at the entry after, with every entry
// returned exactly once. Since and Until apply to Entry.Time; the reader
// seeks by store time with Config.TimeSlack of tolerance (a batch is
// stored within FlushInterval of its entries). One query looks at no
// more than Config.MaxScan stored entries, so a page may be short, or
// empty, with a cursor; an empty cursor is the end. CountEvents counts
// the events stream's messages and entries.
//
// # Concurrency
//
// Writer.Record and Writer.Stats, Reader.Query, every Tally method and
// every AuthFailureLimiter method are safe for concurrent use. A Writer
// owns two goroutines, started by Start and stopped (after a flush) by
// Close, which waits for them: one publishes trail entries, the other
// fills and publishes the event-received batches, so neither waits on
// the other's publishes or retries. Record never blocks: each kind has
// its own bounded buffer (WriterConfig.BufferSize, EventBufferSize),
// and a full buffer drops the entry, counted in WriterStats.Dropped.
// Give the Writer a JetStream on a connection of its own when the
// monitor's connection is busy: publishes share a connection's lock
// with everything else on it.
package audit
