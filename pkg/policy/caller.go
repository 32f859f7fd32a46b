package policy

// Caller is the verified identity behind a request, built from the
// token's claims (policy.md, "the caller's context"). It never comes from
// a request body.
type Caller struct {
	// UserID is the token's sub claim.
	UserID string
	// TenantID is the token's tenant claim, the user's own tenant.
	TenantID string
	// Permissions is the token's permissions claim, matched exactly.
	Permissions []string
	// OperatorID is the token's operator claim: the operator this user
	// is, empty when the claim is absent.
	OperatorID string
	// TeamOperatorIDs is the token's team claim: the operators of the
	// user's team.
	TeamOperatorIDs []string

	// perms is Permissions as a set; nil for a Caller built as a literal,
	// in which case Has scans Permissions.
	perms map[string]struct{}
}

// NewCaller returns a Caller with its permission set built for fast
// lookups. A Caller written as a literal works too; Has then scans the
// Permissions slice.
func NewCaller(userID, tenantID string, perms []string, operatorID string, team []string) Caller {
	c := Caller{
		UserID:          userID,
		TenantID:        tenantID,
		Permissions:     perms,
		OperatorID:      operatorID,
		TeamOperatorIDs: team,
	}
	if len(perms) > 0 {
		c.perms = make(map[string]struct{}, len(perms))
		for _, p := range perms {
			c.perms[p] = struct{}{}
		}
	}
	return c
}

// Has reports whether the caller holds the permission perm, matched
// exactly (no wildcards, no case folding).
func (c Caller) Has(perm string) bool {
	if c.perms != nil {
		_, ok := c.perms[perm]
		return ok
	}
	for _, p := range c.Permissions {
		if p == perm {
			return true
		}
	}
	return false
}
