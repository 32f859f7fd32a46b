package api

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/metrics"
)

// fields is a request body decoded one level deep: each member raw, so
// that a wrong type is a 400 naming the field, not a silent zero.
type fields map[string]json.RawMessage

// decodeFields parses body as one JSON object. An empty body is an empty
// object.
func decodeFields(body []byte) (fields, *Error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return fields{}, nil
	}
	var f fields
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&f); err != nil || f == nil {
		return nil, badRequest("the body is not a JSON object")
	}
	if dec.More() {
		return nil, badRequest("the body has data after its JSON object")
	}
	return f, nil
}

func present(raw json.RawMessage) bool {
	return len(raw) > 0 && string(raw) != "null"
}

// str reads an optional string of at most max characters.
func (f fields) str(name string, max int) (string, *Error) {
	raw, ok := f[name]
	if !ok || !present(raw) {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", badRequest("%s must be a string", name)
	}
	if utf8.RuneCountInString(s) > max {
		return "", badRequest("%s is longer than %d characters", name, max)
	}
	return s, nil
}

// integer reads an optional integer in [lo, hi]; absent or null gives
// def and false.
func (f fields) integer(name string, lo, hi int) (int, bool, *Error) {
	raw, ok := f[name]
	if !ok || !present(raw) {
		return 0, false, nil
	}
	var n json.Number
	if raw[0] == '"' || json.Unmarshal(raw, &n) != nil {
		return 0, false, badRequest("%s must be a number", name)
	}
	v, err := strconv.ParseFloat(n.String(), 64)
	if err != nil || v != math.Trunc(v) || math.IsInf(v, 0) {
		return 0, false, badRequest("%s must be a whole number", name)
	}
	if v < float64(lo) || v > float64(hi) {
		return 0, false, badRequest("%s must be between %d and %d", name, lo, hi)
	}
	return int(v), true, nil
}

// list reads an optional array of strings, each checked by valid, at most
// max distinct; repeated entries count once and are dropped.
func (f fields) list(name string, max int, valid func(string) bool, what string) ([]string, *Error) {
	raw, ok := f[name]
	if !ok || !present(raw) {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, badRequest("%s must be an array of strings", name)
	}
	seen := make(map[string]struct{}, len(items))
	out := make([]string, 0, len(items))
	for i, it := range items {
		var s string
		if err := json.Unmarshal(it, &s); err != nil {
			return nil, badRequest("%s[%d] must be a string", name, i)
		}
		if !valid(s) {
			return nil, badRequest("%s[%d] is not %s", name, i, what)
		}
		if _, dup := seen[s]; dup {
			continue
		}
		seen[s] = struct{}{}
		out = append(out, s)
		if len(out) > max {
			return nil, badRequest("%s names more than %d distinct entries", name, max)
		}
	}
	return out, nil
}

// timestamp reads an optional RFC 3339 time.
func (f fields) timestamp(name string) (*time.Time, *Error) {
	s, err := f.str(name, 64)
	if err != nil || s == "" {
		return nil, err
	}
	t, perr := time.Parse(time.RFC3339Nano, s)
	if perr != nil {
		return nil, badRequest("%s must be an RFC 3339 time", name)
	}
	t = t.UTC()
	return &t, nil
}

// scope reads the required scope and checks its tenant against the
// subject's.
func (f fields) scope(subjectTenant string) (metrics.Scope, *Error) {
	raw, ok := f["scope"]
	if !ok || !present(raw) {
		return metrics.Scope{}, badRequest("scope.tenantId is required")
	}
	var sf fields
	if err := json.Unmarshal(raw, &sf); err != nil || sf == nil {
		return metrics.Scope{}, badRequest("scope must be an object")
	}
	var sc metrics.Scope
	var err *Error
	if sc.TenantID, err = sf.str("tenantId", 64); err != nil {
		return sc, prefixed("scope.", err)
	}
	if sc.TenantID == "" {
		return sc, badRequest("scope.tenantId is required")
	}
	if !event.ValidName(sc.TenantID) {
		return sc, badRequest("scope.tenantId must be 1-64 characters of A-Z a-z 0-9 _ -")
	}
	if sc.FacilityID, err = sf.str("facilityId", 64); err != nil {
		return sc, prefixed("scope.", err)
	}
	if sc.FacilityID != "" && (!event.ValidName(sc.FacilityID) || sc.FacilityID == "_") {
		return sc, badRequest("scope.facilityId must be 1-64 characters of A-Z a-z 0-9 _ -")
	}
	if sc.FederationID, err = sf.str("federationId", 64); err != nil {
		return sc, prefixed("scope.", err)
	}
	if sc.FederationID != "" && !event.ValidName(sc.FederationID) {
		return sc, badRequest("scope.federationId must be 1-64 characters of A-Z a-z 0-9 _ -")
	}
	if sc.TenantID != subjectTenant {
		return sc, badRequest("scope.tenantId does not match the subject's tenant")
	}
	return sc, nil
}

func prefixed(p string, e *Error) *Error {
	e.Reason = p + e.Reason
	return e
}

// subjectTenant returns the last token of a request subject.
func subjectTenant(subject string) string {
	return subject[strings.LastIndexByte(subject, '.')+1:]
}

// operatorID checks the operator id form: 1-128 of [A-Za-z0-9._:-].
func operatorID(s string) bool { return event.ValidID(s, 128) }
