package policy

// Visibility is the set of operators a caller may see in one result or
// subscription (policy.md, "Operators a user may see"), narrowed to the
// operators the request names. Its zero value sees no operator.
//
// It is built once per request and read per delivered event, so CanSee
// does not allocate. It is read-only once built.
type Visibility struct {
	// all is true when every operator is visible; ids is then nil.
	all bool
	// ids are the visible operators when all is false.
	ids map[string]struct{}
}

// NewVisibility returns the operators caller c may see in the tenant
// tenantID, narrowed to operatorIDs when that is not empty:
//
//   - with PermViewAllOperators, every operator;
//   - else in c's own tenant, c's operator claim, plus its team claim
//     when c holds PermViewTeamOperators;
//   - else (another tenant) none.
//
// Empty operator ids in the claims or in operatorIDs are ignored.
func NewVisibility(c Caller, tenantID string, operatorIDs []string) Visibility {
	base := baseVisibility(c, tenantID)
	if len(operatorIDs) == 0 {
		return base
	}
	return base.narrow(operatorIDs)
}

// baseVisibility is NewVisibility before any narrowing.
func baseVisibility(c Caller, tenantID string) Visibility {
	if c.Has(PermViewAllOperators) {
		return Visibility{all: true}
	}
	if tenantID != c.TenantID {
		return Visibility{}
	}

	var v Visibility
	if c.Has(PermViewTeamOperators) {
		for _, id := range c.TeamOperatorIDs {
			v.add(id)
		}
	}
	v.add(c.OperatorID)
	return v
}

// narrow returns the operators of v that are also in operatorIDs.
func (v Visibility) narrow(operatorIDs []string) Visibility {
	var out Visibility
	for _, id := range operatorIDs {
		if v.CanSee(id) {
			out.add(id)
		}
	}
	return out
}

// add makes id visible; the empty id is ignored.
func (v *Visibility) add(id string) {
	if id == "" {
		return
	}
	if v.ids == nil {
		v.ids = make(map[string]struct{})
	}
	v.ids[id] = struct{}{}
}

// CanSee reports whether the operator operatorID is visible. The empty
// id names no operator and is never visible.
func (v Visibility) CanSee(operatorID string) bool {
	if operatorID == "" {
		return false
	}
	if v.all {
		return true
	}
	_, ok := v.ids[operatorID]
	return ok
}

// All reports whether every operator is visible, so that filtering can
// be skipped.
func (v Visibility) All() bool { return v.all }

// Len returns the number of visible operators, or -1 when every operator
// is visible.
func (v Visibility) Len() int {
	if v.all {
		return -1
	}
	return len(v.ids)
}
