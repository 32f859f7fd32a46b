package api

import (
	"bytes"
	"context"
	"errors"

	"github.com/nats-io/nats.go"

	"github.com/opsmonitor/monitor/pkg/audit"
	"github.com/opsmonitor/monitor/pkg/policy"
)

// HeaderNextCursor carries a CSV audit page's cursor.
const HeaderNextCursor = "Monitor-Next-Cursor"

// audit answers monitor.audit.<tenant> with one page of entries, as JSON
// or CSV.
func (s *Server) audit(ctx context.Context, r *request) reply {
	f, err := decodeFields(r.body)
	if err != nil {
		return errReply(err)
	}
	scope, err := f.scope(r.tenant)
	if err != nil {
		return errReply(err)
	}
	req := audit.Request{TenantID: scope.TenantID}
	if req.Types, err = f.list("types", len(audit.Types), func(t string) bool { return audit.Type(t).Valid() }, "an audit entry type"); err != nil {
		return errReply(err)
	}
	since, err := f.timestamp("since")
	if err != nil {
		return errReply(err)
	}
	until, err := f.timestamp("until")
	if err != nil {
		return errReply(err)
	}
	if since != nil {
		req.Since = *since
	}
	if until != nil {
		req.Until = *until
	}
	if req.UserID, err = f.str("userId", 128); err != nil {
		return errReply(err)
	}
	limit, ok, err := f.integer("limit", 1, audit.MaxLimit)
	if err != nil {
		return errReply(err)
	}
	if ok {
		req.Limit = limit
	}
	if req.Cursor, err = f.str("cursor", 512); err != nil {
		return errReply(err)
	}
	format, err := f.str("format", 8)
	if err != nil {
		return errReply(err)
	}
	if format == "" {
		format = "json"
	}
	if format != "json" && format != "csv" {
		return errReply(badRequest("format must be json or csv"))
	}
	if err := requestedBy(f, r.caller); err != nil {
		return errReply(err)
	}

	d := policy.EvaluateAudit(r.caller, policy.Scope(scope))
	s.recordDecision(r, "audit", scope.TenantID, d)
	if !d.Allowed {
		return errReply(forbidden(d.Rule, d.Reason))
	}
	if s.cfg.AuditReader == nil {
		return errReply(&Error{Code: 503, Rule: RuleInternal, Reason: "the audit trail is not available"})
	}

	req.MaxBytes = int(s.cfg.Conn.MaxPayload()) - replyHeadroom
	page, qerr := s.cfg.AuditReader.Query(ctx, req)
	if qerr != nil {
		if errors.Is(qerr, audit.ErrBadRequest) {
			return errReply(badRequest("%s", qerr.Error()))
		}
		s.log.Error().Err(qerr).Str("request_id", r.id).Msg("reading the audit trail failed")
		return errReply(internal(r.id))
	}
	if format == "json" {
		var buf bytes.Buffer
		if err := audit.WriteJSON(&buf, page); err != nil {
			return errReply(internal(r.id))
		}
		return reply{raw: buf.Bytes()}
	}
	var buf bytes.Buffer
	if err := audit.WriteCSV(&buf, page.Entries); err != nil {
		return errReply(internal(r.id))
	}
	h := nats.Header{}
	h.Set(HeaderNextCursor, page.NextCursor)
	h.Set("Content-Type", "text/csv")
	return reply{raw: buf.Bytes(), headers: h}
}
