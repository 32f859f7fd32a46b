package metrics

import "github.com/opsmonitor/monitor/pkg/state"

// Scope is what a query asks about: a tenant, optionally narrowed to one
// facility and/or one federation (with both, both must match).
type Scope struct {
	TenantID     string `json:"tenantId"`
	FacilityID   string `json:"facilityId,omitempty"`
	FederationID string `json:"federationId,omitempty"`
}

// filter returns the state filter of the scope's narrowing.
func (s Scope) filter() state.Filter {
	return state.Filter{FacilityID: s.FacilityID, FederationID: s.FederationID}
}
