package consumer

import (
	"strings"
	"testing"
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
)

// benchBody is a task event of about 500 bytes, padded in metadata as
// the engines' events are.
var benchBody = []byte(`{"eventId":"ev-000123","category":"task-lifecycle",` +
	`"eventType":"assigned","timestamp":"2026-01-21T09:59:00.123456Z",` +
	`"scope":{"tenantId":"tenant-042","facilityId":"facility-003",` +
	`"federationId":"fed-north"},"severity":"high","entityId":"task-000777",` +
	`"entityType":"task","operatorId":"op-017","operatorName":"Operator 017",` +
	`"metadata":{"sourceSystem":"action-center","sourcePhase":53,"note":"` +
	strings.Repeat("abcdefghij", 17) + `"}}`)

var benchSubject = "ops.events.task-lifecycle.tenant-042.facility-003"

// BenchmarkDecode measures the decode and validation of one ingest
// message, the consumer's hot path before the actor.
func BenchmarkDecode(b *testing.B) {
	subj, ok := ParseSubject(DefaultPrefix, benchSubject)
	if !ok {
		b.Fatal("subject does not parse")
	}
	if _, rej := Decode(benchBody, subj, stored, Limits{}); rej != nil {
		b.Fatalf("rejected: %s", rej.Detail)
	}
	b.SetBytes(int64(len(benchBody)))
	b.ReportAllocs()
	for b.Loop() {
		Decode(benchBody, subj, stored, Limits{})
	}
}

// BenchmarkParseSubject measures splitting an ingest subject.
func BenchmarkParseSubject(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		ParseSubject(DefaultPrefix, benchSubject)
	}
}

// BenchmarkEventMsg measures building the republish message of an
// applied event: subject, headers and body.
func BenchmarkEventMsg(b *testing.B) {
	subj, _ := ParseSubject(DefaultPrefix, benchSubject)
	ev, rej := Decode(benchBody, subj, stored, Limits{})
	if rej != nil {
		b.Fatalf("rejected: %s", rej.Detail)
	}
	meta := event.Meta{StreamSeq: 123456, Stored: stored, Received: stored.Add(time.Millisecond)}
	b.ReportAllocs()
	for b.Loop() {
		EventMsg(ev, meta)
	}
}
