package consumer

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/opsmonitor/monitor/pkg/event"
)

// Limits are the checks of events.md that depend on configuration.
type Limits struct {
	// MaxEventBytes is the largest body accepted; default 64 KiB.
	MaxEventBytes int
	// FutureTolerance is how far an event's timestamp may lie ahead of the
	// time JetStream stored it; default 5 minutes.
	FutureTolerance time.Duration
}

func (l Limits) withDefaults() Limits {
	if l.MaxEventBytes <= 0 {
		l.MaxEventBytes = 64 << 10
	}
	if l.FutureTolerance <= 0 {
		l.FutureTolerance = 5 * time.Minute
	}
	return l
}

// Subject is the parsed ingest subject ops.events.<category>.<tenant>.<facility>.
type Subject struct {
	Category string
	Tenant   string
	Facility string
}

// ParseSubject splits an ingest subject after the configured prefix. It
// reports false when the subject does not have exactly three tokens after
// the prefix.
func ParseSubject(prefix, subject string) (Subject, bool) {
	rest, ok := strings.CutPrefix(subject, prefix+".")
	if !ok {
		return Subject{}, false
	}
	cat, rest, ok := strings.Cut(rest, ".")
	if !ok {
		return Subject{}, false
	}
	tenant, facility, ok := strings.Cut(rest, ".")
	if !ok || strings.Contains(facility, ".") {
		return Subject{}, false
	}
	return Subject{Category: cat, Tenant: tenant, Facility: facility}, true
}

// envelope holds the members of an event as slices of its body, nil when
// absent, so that missing, null, wrongly typed and empty values can be
// told apart in the order the spec checks them.
type envelope struct {
	EventID, Category, EventType, Timestamp []byte
	Scope, Severity, EntityID, EntityType   []byte
	OperatorID, OperatorName                []byte
	Metadata, Payload                       []byte
}

func (e *envelope) set(key string, val []byte) {
	switch key {
	case "eventId":
		e.EventID = val
	case "category":
		e.Category = val
	case "eventType":
		e.EventType = val
	case "timestamp":
		e.Timestamp = val
	case "scope":
		e.Scope = val
	case "severity":
		e.Severity = val
	case "entityId":
		e.EntityID = val
	case "entityType":
		e.EntityType = val
	case "operatorId":
		e.OperatorID = val
	case "operatorName":
		e.OperatorName = val
	case "metadata":
		e.Metadata = val
	case "payload":
		e.Payload = val
	}
}

type scopeFields struct {
	TenantID, FacilityID, FederationID []byte
}

func (s *scopeFields) set(key string, val []byte) {
	switch key {
	case "tenantId":
		s.TenantID = val
	case "facilityId":
		s.FacilityID = val
	case "federationId":
		s.FederationID = val
	}
}

type payloadFields struct {
	Category, SLAHours []byte
}

func (p *payloadFields) set(key string, val []byte) {
	switch key {
	case "category":
		p.Category = val
	case "slaHours":
		p.SLAHours = val
	}
}

func reject(r event.Reason, detail string) *event.Rejection {
	return &event.Rejection{Reason: r, Detail: detail}
}

// Decode parses and validates one ingest message: body as received,
// subject it arrived on (after prefix), and the time JetStream stored it.
// It returns the event, or a rejection naming the first failing check in
// the order of events.md. The returned event keeps body as its Raw bytes.
func Decode(body []byte, subj Subject, stored time.Time, lim Limits) (*event.Event, *event.Rejection) {
	lim = lim.withDefaults()
	if len(body) > lim.MaxEventBytes {
		return nil, reject(event.ReasonTooLarge, "the event is larger than "+strconv.Itoa(lim.MaxEventBytes)+" bytes")
	}

	if !isObject(body) {
		return nil, reject(event.ReasonMalformedJSON, "the body is not a JSON object")
	}
	if !validJSON(body) {
		return nil, reject(event.ReasonMalformedJSON, "the body is not one valid JSON object")
	}
	var env envelope
	eachMember(body, env.set)
	var sc scopeFields
	scopeOK := isObject(env.Scope)
	if scopeOK {
		eachMember(env.Scope, sc.set)
	}

	// Always-required fields first.
	for _, f := range [...]struct {
		name string
		raw  []byte
	}{
		{"eventId", env.EventID},
		{"category", env.Category},
		{"eventType", env.EventType},
		{"timestamp", env.Timestamp},
		{"scope.tenantId", scopeTenant(env.Scope, sc, scopeOK)},
		{"severity", env.Severity},
		{"entityId", env.EntityID},
		{"entityType", env.EntityType},
	} {
		if missing(f.raw) {
			return nil, reject(event.ReasonMissingField, "required field "+f.name+" is missing")
		}
	}

	ev := &event.Event{Raw: body}

	catStr, catOK := str(env.Category)
	typeStr, typeOK := str(env.EventType)
	if catOK && catStr != "" {
		c, ok := event.ParseCategory(catStr)
		if !ok {
			return nil, reject(event.ReasonUnknownCategory, "category is not one of the eight categories")
		}
		ev.Category = c
		if typeOK && typeStr != "" {
			t, ok := event.ParseType(c, typeStr)
			if !ok {
				return nil, reject(event.ReasonUnknownEventType, "eventType is not a type of category "+c.String())
			}
			ev.Type = t
		}
	}
	if ev.Type == event.TaskAssigned && missing(env.OperatorID) {
		return nil, reject(event.ReasonMissingField, "operatorId is required on a task assigned event")
	}

	if rej := validateFields(ev, &env, &sc, scopeOK, catOK && catStr != "", typeOK && typeStr != ""); rej != nil {
		return nil, rej
	}

	if subj.Category != ev.Category.String() {
		return nil, reject(event.ReasonSubjectMismatch, "category does not match the subject's category token")
	}
	if subj.Tenant != ev.TenantID {
		return nil, reject(event.ReasonSubjectMismatch, "scope.tenantId does not match the subject's tenant token")
	}
	wantFacility := ev.FacilityID
	if wantFacility == "" {
		wantFacility = "_"
	}
	if subj.Facility != wantFacility {
		return nil, reject(event.ReasonSubjectMismatch, "scope.facilityId does not match the subject's facility token")
	}

	if !stored.IsZero() && ev.Timestamp.After(stored.Add(lim.FutureTolerance)) {
		return nil, reject(event.ReasonTimestampInFuture, "timestamp is more than "+lim.FutureTolerance.String()+" ahead of the time the stream stored the event")
	}
	return ev, nil
}

func scopeTenant(raw []byte, sc scopeFields, ok bool) []byte {
	if missing(raw) {
		return nil
	}
	if !ok {
		// A scope of the wrong type is present but invalid; reported as
		// invalid-field later.
		return raw
	}
	return sc.TenantID
}

func validateFields(ev *event.Event, env *envelope, sc *scopeFields, scopeOK, catOK, typeOK bool) *event.Rejection {
	invalid := func(field, rule string) *event.Rejection {
		return reject(event.ReasonInvalidField, field+" "+rule)
	}
	var ok bool

	if ev.ID, ok = str(env.EventID); !ok || !event.ValidID(ev.ID, 128) {
		return invalid("eventId", "must be 1-128 characters of A-Z a-z 0-9 . _ : -")
	}
	if !catOK {
		return invalid("category", "must be a non-empty string")
	}
	if !typeOK {
		return invalid("eventType", "must be a non-empty string")
	}

	ts, ok := str(env.Timestamp)
	if !ok {
		return invalid("timestamp", "must be an RFC 3339 string with a time zone")
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return invalid("timestamp", "must be an RFC 3339 string with a time zone")
	}
	ev.Timestamp = t.UTC()

	if !scopeOK {
		return invalid("scope", "must be an object")
	}
	if ev.TenantID, ok = str(sc.TenantID); !ok || !event.ValidName(ev.TenantID) {
		return invalid("scope.tenantId", "must be 1-64 characters of A-Z a-z 0-9 _ -")
	}
	if !missing(sc.FacilityID) {
		if ev.FacilityID, ok = str(sc.FacilityID); !ok || !event.ValidName(ev.FacilityID) || ev.FacilityID == "_" {
			return invalid("scope.facilityId", "must be 1-64 characters of A-Z a-z 0-9 _ - and not _")
		}
	}
	if !missing(sc.FederationID) {
		if ev.FederationID, ok = str(sc.FederationID); !ok || !event.ValidName(ev.FederationID) {
			return invalid("scope.federationId", "must be 1-64 characters of A-Z a-z 0-9 _ -")
		}
	}

	sev, ok := str(env.Severity)
	if ok {
		ev.Severity, ok = event.ParseSeverity(sev)
	}
	if !ok {
		return invalid("severity", "must be critical, high, medium or low")
	}
	if ev.EntityID, ok = str(env.EntityID); !ok || !event.ValidID(ev.EntityID, 128) {
		return invalid("entityId", "must be 1-128 characters of A-Z a-z 0-9 . _ : -")
	}
	if ev.EntityType, ok = str(env.EntityType); !ok || !textChars(ev.EntityType, 1, 64) {
		return invalid("entityType", "must be 1-64 characters without control characters")
	}
	if !missing(env.OperatorID) {
		if ev.OperatorID, ok = str(env.OperatorID); !ok || !event.ValidID(ev.OperatorID, 128) {
			return invalid("operatorId", "must be 1-128 characters of A-Z a-z 0-9 . _ : -")
		}
	}
	if !missing(env.OperatorName) {
		if ev.OperatorName, ok = str(env.OperatorName); !ok || !textChars(ev.OperatorName, 1, 128) {
			return invalid("operatorName", "must be at most 128 characters without control characters")
		}
	}
	if !missing(env.Metadata) && !isObject(env.Metadata) {
		return invalid("metadata", "must be an object")
	}
	if !missing(env.Payload) && !isObject(env.Payload) {
		return invalid("payload", "must be an object")
	}
	return validatePayload(ev, env.Payload)
}

// validatePayload reads the payload keys of an entity's opening event.
func validatePayload(ev *event.Event, raw []byte) *event.Rejection {
	if missing(raw) || (ev.Type != event.TaskCreated && ev.Type != event.AlertDetected) {
		return nil
	}
	var p payloadFields
	eachMember(raw, p.set)
	if ev.Type == event.TaskCreated && !missing(p.Category) {
		c, ok := str(p.Category)
		if !ok || !event.ValidID(c, 64) {
			return reject(event.ReasonInvalidField, "payload.category must be 1-64 characters of A-Z a-z 0-9 . _ : -")
		}
		ev.WorkCategory = c
	}
	if !missing(p.SLAHours) {
		h, err := strconv.ParseFloat(string(p.SLAHours), 64)
		if !isNumber(p.SLAHours) || err != nil || !(h > 0 && h <= 8760) {
			return reject(event.ReasonInvalidField, "payload.slaHours must be a number in (0, 8760]")
		}
		ev.SLAHours = h
	}
	return nil
}

// isNumber reports whether a valid JSON value is a number.
func isNumber(raw []byte) bool {
	return len(raw) > 0 && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9')
}

// missing reports whether a raw field is absent or null.
func missing(raw []byte) bool {
	return len(raw) == 0 || string(raw) == "null"
}

func isObject(raw []byte) bool {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	return len(raw) > 0 && raw[0] == '{'
}

// str returns the string value of a raw JSON string, and false when the
// value is not a string or is empty.
func str(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		if len(inner) == 0 {
			return "", false
		}
		return string(inner), true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil || s == "" {
		return "", false
	}
	return s, true
}

// textChars checks min..max characters (runes) of valid UTF-8 without
// control characters.
func textChars(s string, min, max int) bool {
	if !utf8.ValidString(s) {
		return false
	}
	n := 0
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) {
			return false
		}
		n++
	}
	return n >= min && n <= max
}
