package state

// Filter narrows a tenant's figures to a facility and/or a federation;
// an empty field matches anything, and with both set both must match.
type Filter struct {
	FacilityID   string
	FederationID string
}

// Match reports whether an entity or event with this facility and
// federation is inside f.
func (f Filter) Match(facility, federation string) bool {
	return (f.FacilityID == "" || f.FacilityID == facility) &&
		(f.FederationID == "" || f.FederationID == federation)
}
