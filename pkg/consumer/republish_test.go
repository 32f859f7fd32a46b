package consumer

import (
	"net/textproto"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/opsmonitor/monitor/pkg/event"
)

func TestEventMsg(t *testing.T) {
	// EventMsg builds its header map directly, which is right only while
	// the names are in canonical form.
	for _, h := range []string{HeaderStreamSeq, HeaderReceivedAt, HeaderRejectReason, HeaderRejectDetail, HeaderRejectTruncate} {
		assert.Equal(t, textproto.CanonicalMIMEHeaderKey(h), h)
	}
	ev := &event.Event{TenantID: "t1", Category: event.AlertLifecycle, Severity: event.High,
		Type: event.AlertEscalated, Raw: []byte(`{"x":1}`)}
	at := time.Date(2026, 1, 21, 10, 0, 0, 5, time.FixedZone("x", 3600))
	m := EventMsg(ev, event.Meta{StreamSeq: 42, Received: at})
	assert.Equal(t, "monitor.events.t1._.alert-lifecycle.high.escalated", m.Subject)
	assert.Equal(t, "42", m.Header.Get(HeaderStreamSeq))
	assert.Equal(t, "2026-01-21T09:00:00.000000005Z", m.Header.Get(HeaderReceivedAt))
	assert.Equal(t, `{"x":1}`, string(m.Data))
}
