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
// # Paging
//
// A page lists matching entries of the trail stream in ascending seq,
// then those of the events stream in ascending seq; seq is the entry's
// sequence in its own stream. The cursor names the stream and the next
// sequence. Since and Until apply to Entry.Time; the reader seeks by
// store time with Config.TimeSlack of tolerance. One query looks at no
// more than Config.MaxScan stored messages, so a page may be short, or
// empty, with a cursor; an empty cursor is the end.
//
// # Concurrency
//
// Writer.Record and Writer.Stats, Reader.Query, every Tally method and
// every AuthFailureLimiter method are safe for concurrent use. A Writer
// owns one goroutine, started by Start and stopped (after a flush) by
// Close, which waits for it. Record never blocks: its buffer is bounded
// and a full buffer drops the entry, counted in WriterStats.Dropped.
package audit
