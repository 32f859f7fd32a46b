package subscribe

import (
	"slices"

	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/policy"
)

// Filter says which of a tenant's events a subscription receives. An
// empty list matches everything on its dimension.
type Filter struct {
	// Scope is the tenant (required) and optionally the facility and
	// federation an event's own scope must name.
	Scope policy.Scope
	// Categories are event categories.
	Categories []event.Category
	// EventTypes are event types; each belongs to one category.
	EventTypes []event.Type
	// Severities are event severities.
	Severities []event.Severity
	// OperatorIDs match the event's own operatorId, so an event without
	// one never matches a non-empty list.
	OperatorIDs []string
}

// normalize returns f with every list sorted and without repeats, so that
// two filters that mean the same compare equal.
func (f Filter) normalize() Filter {
	f.Categories = sortedSet(f.Categories)
	f.EventTypes = sortedSet(f.EventTypes)
	f.Severities = sortedSet(f.Severities)
	f.OperatorIDs = sortedSet(f.OperatorIDs)
	return f
}

// equal reports whether two normalized filters are the same.
func (f Filter) equal(o Filter) bool {
	return f.Scope == o.Scope &&
		slices.Equal(f.Categories, o.Categories) &&
		slices.Equal(f.EventTypes, o.EventTypes) &&
		slices.Equal(f.Severities, o.Severities) &&
		slices.Equal(f.OperatorIDs, o.OperatorIDs)
}

func sortedSet[T ~uint8 | ~string](in []T) []T {
	if len(in) == 0 {
		return nil
	}
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}

// matcher is a Filter compiled for matching one event in a few
// comparisons. It is read-only once built, so the applied hook and the
// delivery goroutines may share it.
type matcher struct {
	tenant     string
	facility   string
	federation string
	categories uint16 // bit per event.Category; 0 means all
	types      uint64 // bit per event.Type; 0 means all
	severities uint8  // bit per event.Severity; 0 means all
	operators  map[string]struct{}
}

func compile(f Filter) matcher {
	m := matcher{
		tenant:     f.Scope.TenantID,
		facility:   f.Scope.FacilityID,
		federation: f.Scope.FederationID,
	}
	for _, c := range f.Categories {
		m.categories |= 1 << c
	}
	for _, t := range f.EventTypes {
		m.types |= 1 << t
	}
	for _, s := range f.Severities {
		m.severities |= 1 << s
	}
	if len(f.OperatorIDs) > 0 {
		m.operators = make(map[string]struct{}, len(f.OperatorIDs))
		for _, id := range f.OperatorIDs {
			m.operators[id] = struct{}{}
		}
	}
	return m
}

// match reports whether ev passes the filter.
func (m *matcher) match(ev *event.Event) bool {
	switch {
	case ev.TenantID != m.tenant:
		return false
	case m.facility != "" && ev.FacilityID != m.facility:
		return false
	case m.federation != "" && ev.FederationID != m.federation:
		return false
	case m.categories != 0 && m.categories&(1<<ev.Category) == 0:
		return false
	case m.types != 0 && (ev.Type >= 64 || m.types&(1<<ev.Type) == 0):
		return false
	case m.severities != 0 && m.severities&(1<<ev.Severity) == 0:
		return false
	}
	if m.operators == nil {
		return true
	}
	_, ok := m.operators[ev.OperatorID]
	return ok && ev.OperatorID != ""
}

// wantsCategory reports whether events of category c can match, for the
// index.
func (m *matcher) wantsCategory(c event.Category) bool {
	return m.categories == 0 || m.categories&(1<<c) != 0
}
