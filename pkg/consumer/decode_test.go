package consumer

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/opsmonitor/monitor/pkg/event"
)

var stored = time.Date(2026, 1, 21, 10, 0, 0, 0, time.UTC)

// body builds a valid task event and applies edits: a key set to nil is
// deleted, any other value replaces the field. Keys "scope.x" and
// "payload.x" edit the nested objects.
func body(t *testing.T, edits map[string]any) []byte {
	t.Helper()
	doc := map[string]any{
		"eventId":   "event-001",
		"category":  "task-lifecycle",
		"eventType": "created",
		"timestamp": "2026-01-21T10:00:00Z",
		"scope": map[string]any{
			"tenantId": "tenant-alpha", "facilityId": "facility-01", "federationId": "fed-north",
		},
		"severity":     "critical",
		"entityId":     "task-123",
		"entityType":   "task",
		"operatorId":   "op-001",
		"operatorName": "Alice",
		"metadata":     map[string]any{"sourceSystem": "action-center"},
		"payload":      map[string]any{"category": "audit-remediation", "slaHours": 2},
	}
	for k, v := range edits {
		target := doc
		key := k
		if head, tail, ok := strings.Cut(k, "."); ok {
			target = doc[head].(map[string]any)
			key = tail
		}
		if v == nil {
			delete(target, key)
		} else {
			target[key] = v
		}
	}
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	return b
}

var taskSubject = Subject{Category: "task-lifecycle", Tenant: "tenant-alpha", Facility: "facility-01"}

func TestDecodeAccepts(t *testing.T) {
	ev, rej := Decode(body(t, nil), taskSubject, stored, Limits{})
	require.Nil(t, rej)
	assert.Equal(t, "event-001", ev.ID)
	assert.Equal(t, event.TaskLifecycle, ev.Category)
	assert.Equal(t, event.TaskCreated, ev.Type)
	assert.Equal(t, stored, ev.Timestamp)
	assert.Equal(t, event.Critical, ev.Severity)
	assert.Equal(t, "tenant-alpha", ev.TenantID)
	assert.Equal(t, "facility-01", ev.FacilityID)
	assert.Equal(t, "fed-north", ev.FederationID)
	assert.Equal(t, "task-123", ev.EntityID)
	assert.Equal(t, "op-001", ev.OperatorID)
	assert.Equal(t, "Alice", ev.OperatorName)
	assert.Equal(t, "audit-remediation", ev.WorkCategory)
	assert.Equal(t, 2.0, ev.SLAHours)
}

func TestDecodeTimestampZoneIsNormalised(t *testing.T) {
	ev, rej := Decode(body(t, map[string]any{"timestamp": "2026-01-21T11:00:00.5+01:00"}), taskSubject, stored, Limits{})
	require.Nil(t, rej)
	assert.Equal(t, stored.Add(500*time.Millisecond), ev.Timestamp)
	assert.Equal(t, time.UTC, ev.Timestamp.Location())
}

func TestDecodeNoFacility(t *testing.T) {
	subj := taskSubject
	subj.Facility = "_"
	ev, rej := Decode(body(t, map[string]any{"scope.facilityId": nil}), subj, stored, Limits{})
	require.Nil(t, rej)
	assert.Empty(t, ev.FacilityID)
}

func TestDecodeRejects(t *testing.T) {
	huge := strings.Repeat("x", 70<<10)
	tests := []struct {
		name   string
		raw    []byte
		edits  map[string]any
		subj   *Subject
		reason event.Reason
		field  string
	}{
		{name: "too large", edits: map[string]any{"metadata": map[string]any{"pad": huge}}, reason: event.ReasonTooLarge},
		{name: "not json", raw: []byte("not json"), reason: event.ReasonMalformedJSON},
		{name: "array", raw: []byte(`[1,2]`), reason: event.ReasonMalformedJSON},
		{name: "trailing bytes", raw: []byte(`{"eventId":"a"} {}`), reason: event.ReasonMalformedJSON},
		{name: "truncated", raw: []byte(`{"eventId":"a"`), reason: event.ReasonMalformedJSON},
		{name: "empty body", raw: []byte(``), reason: event.ReasonMalformedJSON},
		{name: "missing eventId", edits: map[string]any{"eventId": nil}, reason: event.ReasonMissingField, field: "eventId"},
		{name: "null timestamp", raw: []byte(strings.Replace(string(body(t, nil)), `"2026-01-21T10:00:00Z"`, "null", 1)), reason: event.ReasonMissingField, field: "timestamp"},
		{name: "missing scope", edits: map[string]any{"scope": nil}, reason: event.ReasonMissingField, field: "scope.tenantId"},
		{name: "missing tenant", edits: map[string]any{"scope.tenantId": nil}, reason: event.ReasonMissingField, field: "scope.tenantId"},
		{name: "missing severity", edits: map[string]any{"severity": nil}, reason: event.ReasonMissingField, field: "severity"},
		{name: "missing entityType", edits: map[string]any{"entityType": nil}, reason: event.ReasonMissingField, field: "entityType"},
		{name: "missing before unknown category", edits: map[string]any{"category": "bogus", "entityId": nil}, reason: event.ReasonMissingField, field: "entityId"},
		{name: "unknown category", edits: map[string]any{"category": "bogus"}, reason: event.ReasonUnknownCategory},
		{name: "unknown event type", edits: map[string]any{"eventType": "detected"}, reason: event.ReasonUnknownEventType},
		{name: "assigned without operator", edits: map[string]any{"eventType": "assigned", "operatorId": nil}, reason: event.ReasonMissingField, field: "operatorId"},
		{name: "unknown type before invalid", edits: map[string]any{"eventType": "nope", "severity": "urgent"}, reason: event.ReasonUnknownEventType},
		{name: "bad event id chars", edits: map[string]any{"eventId": "a b"}, reason: event.ReasonInvalidField, field: "eventId"},
		{name: "event id too long", edits: map[string]any{"eventId": strings.Repeat("a", 129)}, reason: event.ReasonInvalidField, field: "eventId"},
		{name: "empty event id", edits: map[string]any{"eventId": ""}, reason: event.ReasonInvalidField, field: "eventId"},
		{name: "numeric category", edits: map[string]any{"category": 7}, reason: event.ReasonInvalidField, field: "category"},
		{name: "timestamp without zone", edits: map[string]any{"timestamp": "2026-01-21T10:00:00"}, reason: event.ReasonInvalidField, field: "timestamp"},
		{name: "timestamp number", edits: map[string]any{"timestamp": 12}, reason: event.ReasonInvalidField, field: "timestamp"},
		{name: "scope string", edits: map[string]any{"scope": "tenant-alpha"}, reason: event.ReasonInvalidField, field: "scope"},
		{name: "tenant with dot", edits: map[string]any{"scope.tenantId": "a.b"}, reason: event.ReasonInvalidField, field: "scope.tenantId"},
		{name: "tenant wildcard", edits: map[string]any{"scope.tenantId": "*"}, reason: event.ReasonInvalidField, field: "scope.tenantId"},
		{name: "facility underscore", edits: map[string]any{"scope.facilityId": "_"}, reason: event.ReasonInvalidField, field: "scope.facilityId"},
		{name: "federation number", edits: map[string]any{"scope.federationId": 3}, reason: event.ReasonInvalidField, field: "scope.federationId"},
		{name: "bad severity", edits: map[string]any{"severity": "urgent"}, reason: event.ReasonInvalidField, field: "severity"},
		{name: "entity id space", edits: map[string]any{"entityId": "task 1"}, reason: event.ReasonInvalidField, field: "entityId"},
		{name: "entity type control", edits: map[string]any{"entityType": "ta\u0007sk"}, reason: event.ReasonInvalidField, field: "entityType"},
		{name: "operator id object", edits: map[string]any{"operatorId": map[string]any{}}, reason: event.ReasonInvalidField, field: "operatorId"},
		{name: "operator name too long", edits: map[string]any{"operatorName": strings.Repeat("é", 129)}, reason: event.ReasonInvalidField, field: "operatorName"},
		{name: "metadata array", edits: map[string]any{"metadata": []int{1}}, reason: event.ReasonInvalidField, field: "metadata"},
		{name: "payload string", edits: map[string]any{"payload": "x"}, reason: event.ReasonInvalidField, field: "payload"},
		{name: "sla hours string", edits: map[string]any{"payload.slaHours": "2"}, reason: event.ReasonInvalidField, field: "payload.slaHours"},
		{name: "sla hours zero", edits: map[string]any{"payload.slaHours": 0}, reason: event.ReasonInvalidField, field: "payload.slaHours"},
		{name: "sla hours too big", edits: map[string]any{"payload.slaHours": 8761}, reason: event.ReasonInvalidField, field: "payload.slaHours"},
		{name: "work category bad", edits: map[string]any{"payload.category": "a b"}, reason: event.ReasonInvalidField, field: "payload.category"},
		{name: "subject category", subj: &Subject{"alert-lifecycle", "tenant-alpha", "facility-01"}, reason: event.ReasonSubjectMismatch, field: "category"},
		{name: "subject tenant", subj: &Subject{"task-lifecycle", "tenant-beta", "facility-01"}, reason: event.ReasonSubjectMismatch, field: "tenantId"},
		{name: "subject facility", subj: &Subject{"task-lifecycle", "tenant-alpha", "_"}, reason: event.ReasonSubjectMismatch, field: "facilityId"},
		{name: "future", edits: map[string]any{"timestamp": "2026-01-21T10:05:00.001Z"}, reason: event.ReasonTimestampInFuture, field: "timestamp"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := tc.raw
			if raw == nil {
				raw = body(t, tc.edits)
			}
			subj := taskSubject
			if tc.subj != nil {
				subj = *tc.subj
			}
			ev, rej := Decode(raw, subj, stored, Limits{})
			require.Nil(t, ev)
			require.NotNil(t, rej)
			assert.Equal(t, tc.reason, rej.Reason, rej.Detail)
			if tc.field != "" {
				assert.Contains(t, rej.Detail, tc.field)
			}
		})
	}
}

func TestDecodeFutureEdgeAccepted(t *testing.T) {
	_, rej := Decode(body(t, map[string]any{"timestamp": "2026-01-21T10:05:00Z"}), taskSubject, stored, Limits{})
	assert.Nil(t, rej)
}

func TestDecodeIgnoresPayloadOfOtherEvents(t *testing.T) {
	ev, rej := Decode(body(t, map[string]any{"eventType": "acknowledged", "payload.slaHours": "x"}), taskSubject, stored, Limits{})
	require.Nil(t, rej)
	assert.Zero(t, ev.SLAHours)
}

func TestDecodeDetailNeverEchoesValues(t *testing.T) {
	secret := "SECRET-VALUE"
	_, rej := Decode(body(t, map[string]any{"severity": secret}), taskSubject, stored, Limits{})
	require.NotNil(t, rej)
	assert.NotContains(t, rej.Detail, secret)
}

func TestParseSubject(t *testing.T) {
	tests := []struct {
		subject string
		want    Subject
		ok      bool
	}{
		{"ops.events.task-lifecycle.t1.f1", Subject{"task-lifecycle", "t1", "f1"}, true},
		{"ops.events.task-lifecycle.t1", Subject{}, false},
		{"ops.events.task-lifecycle.t1.f1.x", Subject{}, false},
		{"other.task-lifecycle.t1.f1", Subject{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.subject, func(t *testing.T) {
			got, ok := ParseSubject("ops.events", tc.subject)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, got)
		})
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"eventId":"e1","category":"task-lifecycle","eventType":"created","timestamp":"2026-01-21T10:00:00Z","scope":{"tenantId":"t"},"severity":"low","entityId":"x","entityType":"task"}`))
	f.Add([]byte(`{"eventId":"e\u0031","category":"alert-lifecycle","eventType":"detected","timestamp":"2026-01-21T10:00:00+02:00","scope":{"tenantId":"t","facilityId":"f"},"severity":"high","entityId":"a","entityType":"alert","payload":{"slaHours":1e3}}`))
	f.Add([]byte(`{"scope":null}`))
	f.Add([]byte(`{"payload":{"slaHours":-0}}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"eventId":"` + strings.Repeat("a", 200) + `"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		subj := Subject{Category: "task-lifecycle", Tenant: "t", Facility: "_"}
		ev, rej := Decode(raw, subj, stored, Limits{MaxEventBytes: 4096})
		if (ev == nil) == (rej == nil) {
			t.Fatalf("want exactly one of event and rejection, got %v and %v", ev, rej)
		}
		if rej != nil {
			if rej.Reason >= event.NumReasons || rej.Detail == "" {
				t.Fatalf("bad rejection %+v", rej)
			}
			return
		}
		if ev.TenantID != "t" || ev.Category != event.TaskLifecycle || ev.Type.Category() != ev.Category {
			t.Fatalf("accepted event disagrees with subject: %+v", ev)
		}
		if !json.Valid(raw) {
			t.Fatalf("accepted invalid JSON")
		}
	})
}
