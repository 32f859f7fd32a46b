package state

import "strings"

// interner keeps one copy of each repeated string of a tenant (facility,
// federation, operator and work-category ids), so thousands of entities
// share it, and so no entity pins the body of the event it came from.
// It grows with the number of distinct values, which are few.
type interner map[string]string

// get returns the tenant's copy of s.
func (in interner) get(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := in[s]; ok {
		return v
	}
	s = strings.Clone(s)
	in[s] = s
	return s
}
