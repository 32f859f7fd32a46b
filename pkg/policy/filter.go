package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// FilterOperatorMap deletes from m, in place, every entry whose key is an
// operator v does not see; it is meant for byOperator breakdowns. Since
// it changes m, m must be the caller's own copy, never a map shared with
// the state. Nothing is deleted when v sees every operator.
func FilterOperatorMap[V any](m map[string]V, v Visibility) {
	if v.all {
		return
	}
	for id := range m {
		if !v.CanSee(id) {
			delete(m, id)
		}
	}
}

// The operator fields of an event, matched without regard to case, as
// encoding/json matches struct fields, so that no decoder downstream can
// read a variant that was left in.
var (
	fieldOperatorID   = []byte("operatorId")
	fieldOperatorName = []byte("operatorName")
)

// StripOperatorFields returns the event JSON raw without its top-level
// operatorId and operatorName members when v does not see the event's
// operator (policy.md, "Visibility filter": the event stays, those two
// fields go). Every other member is kept byte for byte, in its order;
// whitespace between members is not.
//
// When v sees every operator raw is returned as it is. Otherwise the
// operator is visible when operatorId is a string v sees. An event
// without operatorId is returned unchanged unless it has an
// operatorName: a name whose operator cannot be told is dropped. A
// non-string operatorId (null included) is not visible. Repeated
// members are all dropped, and the event is visible only when every
// operatorId is. When nothing is dropped raw itself is returned.
//
// It fails with ErrInvalidEvent when raw is not a JSON object.
func StripOperatorFields(raw []byte, v Visibility) ([]byte, error) {
	if !json.Valid(raw) {
		return nil, fmt.Errorf("%w: not valid JSON", ErrInvalidEvent)
	}
	if v.all {
		if i := skipSpace(raw, 0); raw[i] != '{' {
			return nil, fmt.Errorf("%w: not a JSON object", ErrInvalidEvent)
		}
		return raw, nil
	}
	members, ok := objectMembers(raw)
	if !ok {
		return nil, fmt.Errorf("%w: not a JSON object", ErrInvalidEvent)
	}

	var ids, names int
	visible := true
	for i := range members {
		m := &members[i]
		switch {
		case keyIs(raw[m.key:m.colon], fieldOperatorID):
			m.drop = true
			ids++
			visible = visible && v.canSeeJSON(raw[m.value:m.end])
		case keyIs(raw[m.key:m.colon], fieldOperatorName):
			m.drop = true
			names++
		}
	}
	if ids == 0 {
		visible = false // a lone operatorName cannot be attributed
	}
	if visible || ids+names == 0 {
		return raw, nil
	}

	out := make([]byte, 0, len(raw))
	out = append(out, '{')
	for _, m := range members {
		if m.drop {
			continue
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(out, raw[m.key:m.end]...)
	}
	return append(out, '}'), nil
}

// canSeeJSON reports whether the JSON value val is a string naming an
// operator v sees.
func (v Visibility) canSeeJSON(val []byte) bool {
	if len(val) < 2 || val[0] != '"' {
		return false
	}
	body := val[1 : len(val)-1]
	if bytes.IndexByte(body, '\\') < 0 {
		if len(body) == 0 {
			return false
		}
		_, ok := v.ids[string(body)] // no allocation for a map index
		return ok
	}
	var s string
	if err := json.Unmarshal(val, &s); err != nil {
		return false
	}
	return v.CanSee(s)
}

// keyIs reports whether the JSON string key (with its quotes, possibly
// followed by whitespace) decodes to name, ignoring case.
func keyIs(key, name []byte) bool {
	key = bytes.TrimRight(key, " \t\r\n")
	if len(key) < 2 {
		return false
	}
	body := key[1 : len(key)-1]
	if bytes.IndexByte(body, '\\') < 0 {
		return bytes.EqualFold(body, name)
	}
	var s string
	if err := json.Unmarshal(key, &s); err != nil {
		return false
	}
	return bytes.EqualFold([]byte(s), name)
}

// member locates one member of a JSON object: raw[key:colon] is its key
// (and any whitespace before the colon), raw[value:end] its value.
type member struct {
	key, colon, value, end int
	drop                   bool
}

// objectMembers returns the members of the top-level object in raw, which
// must be valid JSON, and false when raw is not an object.
func objectMembers(raw []byte) ([]member, bool) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return nil, false
	}
	i = skipSpace(raw, i+1)
	if raw[i] == '}' {
		return nil, true
	}

	var out []member
	for {
		var m member
		m.key = i
		i = skipString(raw, i)
		m.colon = skipSpace(raw, i) // at ':'
		m.value = skipSpace(raw, m.colon+1)
		m.end = skipValue(raw, m.value)
		out = append(out, m)

		i = skipSpace(raw, m.end)
		if raw[i] == '}' {
			return out, true
		}
		i = skipSpace(raw, i+1) // past ','
	}
}

// skipSpace returns the index of the first non-whitespace byte at or
// after i.
func skipSpace(raw []byte, i int) int {
	for i < len(raw) {
		switch raw[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the index just past the string that opens at i.
func skipString(raw []byte, i int) int {
	for i++; i < len(raw); i++ {
		switch raw[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}

// skipValue returns the index just past the valid JSON value at i,
// without recursion so that deep nesting cannot exhaust the stack.
func skipValue(raw []byte, i int) int {
	depth := 0
	for i < len(raw) {
		switch raw[i] {
		case '"':
			i = skipString(raw, i)
		case '{', '[':
			depth++
			i++
		case '}', ']':
			depth--
			i++
		case ',', ' ', '\t', '\r', '\n':
			if depth == 0 {
				return i
			}
			i++
		default:
			i++
		}
		if depth == 0 && i > 0 && isValueEnd(raw, i) {
			return i
		}
	}
	return i
}

// isValueEnd reports whether a top-level value could end just before
// index i: at the end of input or before whitespace, ',', '}' or ']'.
func isValueEnd(raw []byte, i int) bool {
	if i >= len(raw) {
		return true
	}
	switch raw[i] {
	case ' ', '\t', '\r', '\n', ',', '}', ']':
		return true
	}
	return false
}
