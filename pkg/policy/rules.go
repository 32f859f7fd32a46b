package policy

// BulkOperatorLimit is the most distinct operatorIds a query may name
// without PermBulkQuery.
const BulkOperatorLimit = 10

// QueryRequest is the part of a query the rules look at.
type QueryRequest struct {
	// Scope is the data asked for.
	Scope Scope
	// Categories are the metric categories asked for, in the query's
	// order; empty means all. The names are expected to be validated
	// already: an unknown name is passed through as unrestricted.
	Categories []string
	// OperatorIDs are the operators the query names; empty means none
	// named. Repeated ids count once.
	OperatorIDs []string
}

// EvaluateQuery applies the query rules of policy.md, in order, to
// caller c asking q; the first rule that denies decides:
//
//  1. tenant-isolation
//  2. federation-access
//  3. operator-access
//  4. category-permission, which never denies: it moves restricted
//     categories the caller lacks the permission for to
//     Decision.Omitted
//  5. bulk-query-limit
//
// An allowed decision carries the categories to compute, the omitted
// ones and the caller's Visibility narrowed to q.OperatorIDs.
func EvaluateQuery(c Caller, q QueryRequest) Decision {
	basis, d, ok := checkTenant(c, q.Scope)
	if !ok {
		return d
	}
	if d, ok := checkFederation(c, q.Scope); !ok {
		return d
	}
	base := baseVisibility(c, q.Scope.TenantID)
	distinct, d, ok := checkOperators(base, q.OperatorIDs)
	if !ok {
		return d
	}

	cats, omitted := filterCategories(c, q.Categories)

	if distinct > BulkOperatorLimit && !c.Has(PermBulkQuery) {
		return deny(RuleBulkQueryLimit,
			"the query names %d distinct operators; more than %d needs %s",
			distinct, BulkOperatorLimit, PermBulkQuery)
	}

	return Decision{
		Allowed:    true,
		Reason:     "query allowed: " + basis,
		Categories: cats,
		Omitted:    omitted,
		Visibility: narrowed(base, q.OperatorIDs),
	}
}

// EvaluateSubscription applies rules tenant-isolation, federation-access
// and operator-access to caller c subscribing to scope with the
// operator filter operatorIDs. An allowed decision carries the caller's
// Visibility narrowed to operatorIDs, for the events it delivers.
func EvaluateSubscription(c Caller, scope Scope, operatorIDs []string) Decision {
	basis, d, ok := checkTenant(c, scope)
	if !ok {
		return d
	}
	if d, ok := checkFederation(c, scope); !ok {
		return d
	}
	base := baseVisibility(c, scope.TenantID)
	if _, d, ok := checkOperators(base, operatorIDs); !ok {
		return d
	}

	return Decision{
		Allowed:    true,
		Reason:     "subscription allowed: " + basis,
		Visibility: narrowed(base, operatorIDs),
	}
}

// EvaluateAudit applies rule tenant-isolation and then rule
// audit-permission (PermAuditRead) to caller c reading the audit trail
// of scope. An allowed decision carries the caller's Visibility.
func EvaluateAudit(c Caller, scope Scope) Decision {
	return evaluateAuditRead(c, scope, "audit read")
}

// EvaluateStats applies the same rules as EvaluateAudit to caller c
// reading the statistics of scope. The allowed decision's Visibility
// filters the byOperator breakdown.
func EvaluateStats(c Caller, scope Scope) Decision {
	return evaluateAuditRead(c, scope, "statistics read")
}

// evaluateAuditRead is EvaluateAudit and EvaluateStats; what names the
// request in the reason.
func evaluateAuditRead(c Caller, scope Scope, what string) Decision {
	basis, d, ok := checkTenant(c, scope)
	if !ok {
		return d
	}
	if !c.Has(PermAuditRead) {
		return deny(RuleAuditPermission, "the %s needs %s", what, PermAuditRead)
	}

	return Decision{
		Allowed:    true,
		Reason:     what + " allowed: " + basis,
		Visibility: baseVisibility(c, scope.TenantID),
	}
}

// checkTenant is rule tenant-isolation. It returns the basis on which
// the tenant may be read, or the denying decision and false.
func checkTenant(c Caller, s Scope) (string, Decision, bool) {
	switch {
	case s.TenantID == c.TenantID:
		return "the scope is the user's own tenant", Decision{}, true
	case c.Has(PermCrossTenantRead):
		return "the user holds " + PermCrossTenantRead, Decision{}, true
	case s.FederationID != "" && c.Has(PermFederationAdmin):
		return "the user holds " + PermFederationAdmin +
			" and the scope names a federation", Decision{}, true
	}
	return "", deny(RuleTenantIsolation,
		"a user of tenant %q may not read tenant %q without %s",
		c.TenantID, s.TenantID, PermCrossTenantRead), false
}

// checkFederation is rule federation-access.
func checkFederation(c Caller, s Scope) (Decision, bool) {
	if s.FederationID == "" || c.Has(PermFederationAdmin) ||
		c.Has(PermFederation(s.FederationID)) {
		return Decision{}, true
	}
	return deny(RuleFederationAccess,
		"federation %q needs %s or %s", s.FederationID,
		PermFederationAdmin, PermFederation(s.FederationID)), false
}

// checkOperators is rule operator-access: every named operator must be
// visible in base. It also returns the number of distinct ids named.
func checkOperators(base Visibility, ids []string) (int, Decision, bool) {
	seen := make(map[string]struct{}, len(ids))
	for _, id := range ids {
		if _, dup := seen[id]; dup {
			continue
		}
		seen[id] = struct{}{}
		if !base.CanSee(id) {
			return 0, deny(RuleOperatorAccess,
				"operator %q is not one the user may see", id), false
		}
	}
	return len(seen), Decision{}, true
}

// filterCategories is rule category-permission: it splits the asked
// categories (all, in spec order, when none are asked) into those to
// compute and those omitted for a missing permission.
func filterCategories(c Caller, asked []string) ([]string, []Omission) {
	if len(asked) == 0 {
		asked = MetricCategories[:]
	}

	cats := make([]string, 0, len(asked))
	var omitted []Omission
	for _, cat := range asked {
		perm, restricted := CategoryPermission(cat)
		if restricted && !c.Has(perm) {
			omitted = append(omitted, Omission{
				Category: cat,
				Rule:     RuleCategoryPermission,
				Reason:   "category " + cat + " needs " + perm,
			})
			continue
		}
		cats = append(cats, cat)
	}
	return cats, omitted
}

// narrowed returns base narrowed to ids, or base when ids is empty.
func narrowed(base Visibility, ids []string) Visibility {
	if len(ids) == 0 {
		return base
	}
	return base.narrow(ids)
}
