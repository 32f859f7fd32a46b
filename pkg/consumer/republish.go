package consumer

import (
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/opsmonitor/monitor/pkg/event"
)

// Headers the monitor sets on what it publishes.
const (
	HeaderStreamSeq      = "Monitor-Stream-Seq"
	HeaderReceivedAt     = "Monitor-Received-At"
	HeaderRejectReason   = "Monitor-Reject-Reason"
	HeaderRejectDetail   = "Monitor-Reject-Detail"
	HeaderRejectTruncate = "Monitor-Reject-Truncated"
)

// EventSubject returns the republish subject of ev:
// monitor.events.<tenant>.<facility or _>.<category>.<severity>.<type>.
func EventSubject(ev *event.Event) string {
	facility := ev.FacilityID
	if facility == "" {
		facility = "_"
	}
	var b strings.Builder
	b.Grow(64 + len(ev.TenantID) + len(facility))
	b.WriteString("monitor.events.")
	b.WriteString(ev.TenantID)
	b.WriteByte('.')
	b.WriteString(facility)
	b.WriteByte('.')
	b.WriteString(ev.Category.String())
	b.WriteByte('.')
	b.WriteString(ev.Severity.String())
	b.WriteByte('.')
	b.WriteString(ev.Type.String())
	return b.String()
}

// EventMsg returns the republish message of ev: the body unchanged, with
// the stream sequence and receipt time as headers.
func EventMsg(ev *event.Event, meta event.Meta) *nats.Msg {
	// The header names are already in canonical form, so the map is
	// built directly rather than through Header.Set.
	return &nats.Msg{
		Subject: EventSubject(ev),
		Data:    ev.Raw,
		Header: nats.Header{
			HeaderStreamSeq:  {strconv.FormatUint(meta.StreamSeq, 10)},
			HeaderReceivedAt: {meta.Received.UTC().Format(time.RFC3339Nano)},
		},
	}
}

// rejectedMsg builds the copy of a rejected message for
// monitor.rejected.<tenant token>, cutting the body when the copy would
// not fit in maxPayload.
func rejectedMsg(tenantToken string, body []byte, rej *event.Rejection, seq uint64, maxPayload int64) *nats.Msg {
	m := nats.NewMsg("monitor.rejected." + tenantToken)
	m.Header.Set(HeaderRejectReason, rej.Reason.String())
	m.Header.Set(HeaderRejectDetail, rej.Detail)
	m.Header.Set(HeaderStreamSeq, strconv.FormatUint(seq, 10))
	room := maxPayload - 1024 // headers and protocol overhead
	if room < 0 {
		room = 0
	}
	if int64(len(body)) > room {
		body = body[:room]
		m.Header.Set(HeaderRejectTruncate, "true")
	}
	m.Data = body
	return m
}
