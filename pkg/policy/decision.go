package policy

import "fmt"

// The rule names of policy.md, as they appear in error results and
// audit entries.
const (
	RuleTenantIsolation    = "tenant-isolation"
	RuleFederationAccess   = "federation-access"
	RuleOperatorAccess     = "operator-access"
	RuleCategoryPermission = "category-permission"
	RuleBulkQueryLimit     = "bulk-query-limit"
	RuleAuditPermission    = "audit-permission"
)

// Decision is the outcome of evaluating a request against the rules.
type Decision struct {
	// Allowed says whether the request may go ahead.
	Allowed bool
	// Rule is the rule that denied the request; empty when allowed.
	Rule string
	// Reason is one sentence saying why, for the error result and the
	// audit entry. It is set for allowed decisions too.
	Reason string
	// Categories are the metric categories to compute, in the query's
	// order (spec order when the query names none). Set only by an
	// allowed EvaluateQuery.
	Categories []string
	// Omitted are the categories left out by rule category-permission.
	// Set only by an allowed EvaluateQuery.
	Omitted []Omission
	// Visibility is the operators the caller may see in the result,
	// already narrowed to the request's operatorIds. It sees none when
	// the request is denied.
	Visibility Visibility
}

// Omission is a metric category left out of a result, with the rule and
// the reason.
type Omission struct {
	// Category is the metric category left out.
	Category string `json:"category"`
	// Rule is the rule that left it out, RuleCategoryPermission.
	Rule string `json:"rule"`
	// Reason says which permission was missing.
	Reason string `json:"reason"`
}

// Err returns nil for an allowed decision, and otherwise a *DenialError
// that wraps ErrDenied.
func (d Decision) Err() error {
	if d.Allowed {
		return nil
	}
	return &DenialError{Rule: d.Rule, Reason: d.Reason}
}

// DenialError is the error of a denied decision: code 403 with the rule
// that denied. errors.Is(err, ErrDenied) holds for it.
type DenialError struct {
	// Rule is the name of the denying rule.
	Rule string
	// Reason is the decision's reason.
	Reason string
}

// Error returns the rule and the reason.
func (e *DenialError) Error() string {
	return fmt.Sprintf("%s: %s", e.Rule, e.Reason)
}

// Unwrap returns ErrDenied.
func (e *DenialError) Unwrap() error { return ErrDenied }

// deny returns a denying decision.
func deny(rule, format string, args ...any) Decision {
	return Decision{Rule: rule, Reason: fmt.Sprintf(format, args...)}
}
