package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/opsmonitor/monitor/pkg/event"
)

// Type is the kind of an audit entry.
type Type string

// The entry types of api.md.
const (
	// TypeEventReceived is an accepted ingest event. These entries are
	// compact and live in their own stream with a short retention.
	TypeEventReceived Type = "event-received"
	// TypeMetricComputed is one metric computed for a query.
	TypeMetricComputed Type = "metric-computed"
	// TypePolicyDecision is one policy decision, allowed or denied.
	TypePolicyDecision Type = "policy-decision"
	// TypeStreamStateUpdate is the state read of one query.
	TypeStreamStateUpdate Type = "stream-state-update"
	// TypeError is a rejected message, a failed request or a fault.
	TypeError Type = "error"
)

// Types lists every entry type in a fixed order.
var Types = []Type{
	TypeEventReceived, TypeMetricComputed, TypePolicyDecision,
	TypeStreamStateUpdate, TypeError,
}

// Valid reports whether t is one of the entry types.
func (t Type) Valid() bool {
	switch t {
	case TypeEventReceived, TypeMetricComputed, TypePolicyDecision,
		TypeStreamStateUpdate, TypeError:
		return true
	}
	return false
}

// Decisions of policy-decision entries.
const (
	// DecisionAllowed is the decision field of an allowed request.
	DecisionAllowed = "allowed"
	// DecisionDenied is the decision field of a denied request.
	DecisionDenied = "denied"
)

// Entry is one audit record. Its JSON names are those of api.md; fields
// that do not apply stay empty: "" for text, 0 for seq and streamSeq
// (JetStream sequences start at 1), null for value.
type Entry struct {
	// ID is unique per entry, assigned by the Writer when empty, and
	// used as the Nats-Msg-Id so a retried publish is stored once.
	ID string `json:"id"`
	// Seq is filled in on read: a trail entry's stream sequence, or for
	// an event-received entry its batch message's stream sequence times
	// EventSeqFactor plus its position in the batch.
	Seq uint64 `json:"seq"`
	// Type is the entry type.
	Type Type `json:"type"`
	// Time is when it happened on the monitor's clock; the Writer sets
	// it when zero.
	Time time.Time `json:"time"`
	// TenantID is the tenant whose data the entry is about; the entry
	// is filed under it.
	TenantID string `json:"tenantId"`
	// UserID is the requesting user (the token's sub).
	UserID string `json:"userId"`
	// UserTenantID is the requesting user's own tenant.
	UserTenantID string `json:"userTenantId"`
	// Endpoint names the request endpoint (query, audit, stats, ...).
	Endpoint string `json:"endpoint"`
	// Decision is DecisionAllowed or DecisionDenied.
	Decision string `json:"decision"`
	// Rule is the deciding policy rule, empty when allowed.
	Rule string `json:"rule"`
	// Reason is the decision's reason, or an error's reason code.
	Reason string `json:"reason"`
	// Category is the event category of an event-received entry.
	Category string `json:"category"`
	// EventID is the id of the event concerned.
	EventID string `json:"eventId"`
	// StreamSeq is the event's sequence in the ingest stream.
	StreamSeq uint64 `json:"streamSeq"`
	// MetricCategory is the metric category of a metric-computed entry.
	MetricCategory string `json:"metricCategory"`
	// Value is a metric's value; nil when none. It must be finite.
	Value *float64 `json:"value"`
	// Detail is free text: counts, a rejected body, a suppression note.
	Detail string `json:"detail"`
}

// Field caps applied by Record, in bytes. They bound an entry's encoded
// size (JSON escaping at most sextuples a byte) well under 64 KiB, so
// every entry fits in any page of that size.
const (
	// MaxDetailBytes caps Detail: room for a sentence, a SHA-256 and the
	// 4 KiB of a rejected body.
	MaxDetailBytes = 5120
	// MaxFieldBytes caps every other text field.
	MaxFieldBytes = 256
	// MaxBodyBytes is how much of a rejected body RejectionEntry keeps.
	MaxBodyBytes = 4096
)

// check reports why e cannot be stored, or "" when it can.
func (e *Entry) check() string {
	switch {
	case !e.Type.Valid():
		return "unknown type"
	case !event.ValidName(e.TenantID):
		return "invalid tenantId"
	case e.Value != nil && (math.IsNaN(*e.Value) || math.IsInf(*e.Value, 0)):
		return "value not finite"
	}
	return ""
}

// normalize compacts event-received entries, caps and repairs text
// fields, and puts Time in UTC.
func (e *Entry) normalize() {
	if e.Type == TypeEventReceived {
		*e = Entry{
			ID: e.ID, Type: e.Type, Time: e.Time, TenantID: e.TenantID,
			Category: e.Category, EventID: e.EventID,
			StreamSeq: e.StreamSeq,
		}
	}
	e.Seq = 0
	e.Time = e.Time.UTC()
	for _, f := range []*string{
		&e.ID, &e.UserID, &e.UserTenantID, &e.Endpoint, &e.Decision,
		&e.Rule, &e.Reason, &e.Category, &e.EventID, &e.MetricCategory,
	} {
		*f = capText(*f, MaxFieldBytes)
	}
	e.Detail = capText(e.Detail, MaxDetailBytes)
}

// capText makes s valid UTF-8 and cuts it to at most n bytes on a rune
// boundary, ending a cut text with "…".
func capText(s string, n int) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) <= n {
		return s
	}
	const mark = "…"
	return cutRunes(s, n-len(mark)) + mark
}

// cutRunes returns the longest prefix of s of at most n bytes that ends
// on a rune boundary.
func cutRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// RejectionEntry builds the error entry of a rejected ingest message
// (events.md): Reason is the reason code; Detail holds the short
// sentence, the SHA-256 of the whole body and at most MaxBodyBytes of
// it as text (invalid UTF-8 shown as "?"). The caller sets Time or lets
// the Writer do it.
func RejectionEntry(tenant, reason, sentence string, body []byte,
	streamSeq uint64) Entry {
	sum := sha256.Sum256(body)
	kept := cutRunes(string(body), MaxBodyBytes)

	var b strings.Builder
	if sentence != "" {
		b.WriteString(sentence)
		b.WriteString(" ")
	}
	fmt.Fprintf(&b, "sha256=%s bodyBytes=%d keptBytes=%d body=%s",
		hex.EncodeToString(sum[:]), len(body), len(kept), kept)

	return Entry{
		Type:      TypeError,
		TenantID:  tenant,
		Reason:    reason,
		StreamSeq: streamSeq,
		Detail:    b.String(),
	}
}
