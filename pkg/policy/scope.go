package policy

// Scope is the data a request asks for: a tenant, and optionally a
// facility and a federation within it.
type Scope struct {
	// TenantID is the tenant whose data is asked for. Required.
	TenantID string `json:"tenantId"`
	// FacilityID narrows the scope to one facility; the rules do not
	// look at it.
	FacilityID string `json:"facilityId,omitempty"`
	// FederationID names a federation; it brings in rule
	// federation-access.
	FederationID string `json:"federationId,omitempty"`
}
