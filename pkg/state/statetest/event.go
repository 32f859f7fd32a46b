package statetest

import (
	"encoding/json"
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
)

// DefaultTenant is the tenant of an E that names none.
const DefaultTenant = "tenant-alpha"

// E describes an event by the fields a test cares about. The category
// follows from Type; zero fields are absent from the event.
type E struct {
	ID           string // required by Event; Feed fills "ev-<n>"
	Type         event.Type
	At           time.Time
	Entity       string // defaults to "none" for informational events
	Severity     event.Severity
	Tenant       string // defaults to DefaultTenant
	Facility     string
	Federation   string
	Operator     string
	OperatorName string
	WorkCategory string  // payload.category
	SLAHours     float64 // payload.slaHours
}

// entityTypes is the entityType an engine would send per category.
var entityTypes = [event.NumCategories]string{
	"task", "alert", "finding", "drift", "policy", "document",
	"mismatch", "signal",
}

// envelope is the wire form of an event, fields in the spec's order.
type envelope struct {
	EventID      string         `json:"eventId"`
	Category     string         `json:"category"`
	EventType    string         `json:"eventType"`
	Timestamp    string         `json:"timestamp"`
	Scope        scope          `json:"scope"`
	Severity     string         `json:"severity"`
	EntityID     string         `json:"entityId"`
	EntityType   string         `json:"entityType"`
	OperatorID   string         `json:"operatorId,omitempty"`
	OperatorName string         `json:"operatorName,omitempty"`
	Payload      map[string]any `json:"payload,omitempty"`
}

type scope struct {
	TenantID     string `json:"tenantId"`
	FacilityID   string `json:"facilityId,omitempty"`
	FederationID string `json:"federationId,omitempty"`
}

// Event returns the decoded event e describes, with a raw JSON body as a
// publisher would have sent it.
func (e E) Event() *event.Event {
	cat := e.Type.Category()
	ev := &event.Event{
		ID:           e.ID,
		Category:     cat,
		Type:         e.Type,
		Timestamp:    e.At.UTC(),
		Severity:     e.Severity,
		TenantID:     e.Tenant,
		FacilityID:   e.Facility,
		FederationID: e.Federation,
		EntityID:     e.Entity,
		EntityType:   entityTypes[cat],
		OperatorID:   e.Operator,
		OperatorName: e.OperatorName,
	}
	if ev.TenantID == "" {
		ev.TenantID = DefaultTenant
	}
	if ev.EntityID == "" {
		ev.EntityID = "none"
	}
	payload := map[string]any{}
	if e.Type == event.TaskCreated && e.WorkCategory != "" {
		ev.WorkCategory = e.WorkCategory
		payload["category"] = e.WorkCategory
	}
	if (e.Type == event.TaskCreated || e.Type == event.AlertDetected) &&
		e.SLAHours > 0 {
		ev.SLAHours = e.SLAHours
		payload["slaHours"] = e.SLAHours
	}
	ev.Raw = raw(ev, payload)
	return ev
}

// raw encodes ev as its envelope.
func raw(ev *event.Event, payload map[string]any) []byte {
	env := envelope{
		EventID:      ev.ID,
		Category:     ev.Category.String(),
		EventType:    ev.Type.String(),
		Timestamp:    ev.Timestamp.Format(time.RFC3339Nano),
		Scope:        scope{ev.TenantID, ev.FacilityID, ev.FederationID},
		Severity:     ev.Severity.String(),
		EntityID:     ev.EntityID,
		EntityType:   ev.EntityType,
		OperatorID:   ev.OperatorID,
		OperatorName: ev.OperatorName,
	}
	if len(payload) > 0 {
		env.Payload = payload
	}
	b, err := json.Marshal(env)
	if err != nil {
		panic("statetest: encoding an envelope: " + err.Error())
	}
	return b
}
