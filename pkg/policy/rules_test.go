package policy

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// caller builds a Caller of tenant-alpha, user-001, operator op-001, team
// op-002 and op-003, holding perms.
func caller(perms ...string) Caller {
	return NewCaller("user-001", "tenant-alpha", perms, "op-001",
		[]string{"op-002", "op-003"})
}

func ops(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("op-%03d", i+1)
	}
	return out
}

var (
	own     = Scope{TenantID: "tenant-alpha", FacilityID: "facility-01"}
	foreign = Scope{TenantID: "tenant-beta"}
	fedOwn  = Scope{TenantID: "tenant-alpha", FederationID: "fed-1"}
	fedBeta = Scope{TenantID: "tenant-beta", FederationID: "fed-1"}
)

func TestEvaluateQueryRules(t *testing.T) {
	tests := []struct {
		name    string
		c       Caller
		q       QueryRequest
		allowed bool
		rule    string
	}{
		{"own tenant", caller(), QueryRequest{Scope: own}, true, ""},
		{"other tenant denied", caller(), QueryRequest{Scope: foreign}, false, RuleTenantIsolation},
		{"other tenant with cross-tenant-read", caller(PermCrossTenantRead), QueryRequest{Scope: foreign}, true, ""},
		{"federation admin on federation scope", caller(PermFederationAdmin), QueryRequest{Scope: fedBeta}, true, ""},
		{"federation admin without federation id", caller(PermFederationAdmin), QueryRequest{Scope: foreign}, false, RuleTenantIsolation},
		{"federation permission does not cross tenants", caller(PermFederation("fed-1")), QueryRequest{Scope: fedBeta}, false, RuleTenantIsolation},
		{"own tenant federation without permission", caller(), QueryRequest{Scope: fedOwn}, false, RuleFederationAccess},
		{"own tenant federation with its permission", caller(PermFederation("fed-1")), QueryRequest{Scope: fedOwn}, true, ""},
		{"own tenant federation with another's permission", caller(PermFederation("fed-2")), QueryRequest{Scope: fedOwn}, false, RuleFederationAccess},
		{"cross-tenant federation needs federation access", caller(PermCrossTenantRead), QueryRequest{Scope: fedBeta}, false, RuleFederationAccess},
		{"cross-tenant federation with its permission", caller(PermCrossTenantRead, PermFederation("fed-1")), QueryRequest{Scope: fedBeta}, true, ""},
		{"federation admin on own tenant federation", caller(PermFederationAdmin), QueryRequest{Scope: fedOwn}, true, ""},
		{"rule 1 decides before rule 2", caller(), QueryRequest{Scope: fedBeta}, false, RuleTenantIsolation},
		{"own operator", caller(), QueryRequest{Scope: own, OperatorIDs: []string{"op-001"}}, true, ""},
		{"team operator without team permission", caller(), QueryRequest{Scope: own, OperatorIDs: []string{"op-002"}}, false, RuleOperatorAccess},
		{"team operator with team permission", caller(PermViewTeamOperators), QueryRequest{Scope: own, OperatorIDs: []string{"op-001", "op-003"}}, true, ""},
		{"outside team with team permission", caller(PermViewTeamOperators), QueryRequest{Scope: own, OperatorIDs: []string{"op-009"}}, false, RuleOperatorAccess},
		{"any operator with view-all", caller(PermViewAllOperators), QueryRequest{Scope: own, OperatorIDs: []string{"op-999"}}, true, ""},
		{"cross-tenant operators without view-all", caller(PermCrossTenantRead, PermViewTeamOperators), QueryRequest{Scope: foreign, OperatorIDs: []string{"op-001"}}, false, RuleOperatorAccess},
		{"cross-tenant operators with view-all", caller(PermCrossTenantRead, PermViewAllOperators), QueryRequest{Scope: foreign, OperatorIDs: []string{"op-001"}}, true, ""},
		{"rule 2 decides before rule 3", caller(), QueryRequest{Scope: fedOwn, OperatorIDs: []string{"op-009"}}, false, RuleFederationAccess},
		{"10 operators without bulk", caller(PermViewAllOperators), QueryRequest{Scope: own, OperatorIDs: ops(10)}, true, ""},
		{"11 operators without bulk", caller(PermViewAllOperators), QueryRequest{Scope: own, OperatorIDs: ops(11)}, false, RuleBulkQueryLimit},
		{"11 operators with bulk", caller(PermViewAllOperators, PermBulkQuery), QueryRequest{Scope: own, OperatorIDs: ops(11)}, true, ""},
		{"repeats count once", caller(PermViewAllOperators), QueryRequest{Scope: own, OperatorIDs: append(ops(10), ops(10)...)}, true, ""},
		{"rule 3 decides before rule 5", caller(PermViewTeamOperators), QueryRequest{Scope: own, OperatorIDs: ops(11)}, false, RuleOperatorAccess},
		{"rule 5 denies despite omitted categories", caller(PermViewAllOperators), QueryRequest{Scope: own, Categories: []string{CategoryTrendSignal}, OperatorIDs: ops(11)}, false, RuleBulkQueryLimit},
		{"restricted category never denies", caller(), QueryRequest{Scope: own, Categories: []string{CategoryTrendSignal}}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := EvaluateQuery(tt.c, tt.q)
			if d.Allowed != tt.allowed || d.Rule != tt.rule {
				t.Fatalf("decision = allowed %v rule %q (%s); want allowed %v rule %q",
					d.Allowed, d.Rule, d.Reason, tt.allowed, tt.rule)
			}
			if d.Reason == "" {
				t.Error("decision has no reason")
			}
			err := d.Err()
			if tt.allowed {
				if err != nil {
					t.Errorf("Err() = %v for an allowed decision", err)
				}
				return
			}
			var de *DenialError
			if !errors.Is(err, ErrDenied) || !errors.As(err, &de) || de.Rule != tt.rule {
				t.Errorf("Err() = %v, want a DenialError for %s", err, tt.rule)
			}
			if d.Categories != nil || d.Omitted != nil || d.Visibility.CanSee("op-001") {
				t.Errorf("denied decision carries data: %+v", d)
			}
		})
	}
}

func TestEvaluateQueryCategories(t *testing.T) {
	all := MetricCategories[:]
	open := []string{CategoryLiveWorkload, CategoryActiveTasks, CategorySLACountdown,
		CategoryResponseLatency, CategoryRemediationTimeline}

	tests := []struct {
		name    string
		perms   []string
		asked   []string
		want    []string
		omitted []string
	}{
		{"none named, no permission", nil, nil, open,
			[]string{CategoryCrossEnginePerformance, CategoryWorkloadDelta, CategoryTrendSignal}},
		{"none named, all permissions", []string{PermViewCrossEngineMetrics, PermViewWorkloadMetrics, PermViewTrendMetrics},
			nil, all, nil},
		{"none named, trend only", []string{PermViewTrendMetrics}, nil,
			append(slices.Clone(open), CategoryTrendSignal),
			[]string{CategoryCrossEnginePerformance, CategoryWorkloadDelta}},
		{"named order kept", nil, []string{CategorySLACountdown, CategoryLiveWorkload},
			[]string{CategorySLACountdown, CategoryLiveWorkload}, nil},
		{"named restricted without permission", nil,
			[]string{CategoryTrendSignal, CategoryActiveTasks, CategoryWorkloadDelta},
			[]string{CategoryActiveTasks}, []string{CategoryTrendSignal, CategoryWorkloadDelta}},
		{"named restricted with permission", []string{PermViewWorkloadMetrics},
			[]string{CategoryWorkloadDelta, CategoryActiveTasks},
			[]string{CategoryWorkloadDelta, CategoryActiveTasks}, nil},
		{"only restricted named, none permitted", nil, []string{CategoryCrossEnginePerformance},
			[]string{}, []string{CategoryCrossEnginePerformance}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := EvaluateQuery(caller(tt.perms...), QueryRequest{Scope: own, Categories: tt.asked})
			if !d.Allowed {
				t.Fatalf("denied: %s %s", d.Rule, d.Reason)
			}
			if !slices.Equal(d.Categories, tt.want) {
				t.Errorf("Categories = %v, want %v", d.Categories, tt.want)
			}
			var got []string
			for _, o := range d.Omitted {
				got = append(got, o.Category)
				if o.Rule != RuleCategoryPermission {
					t.Errorf("omission %s rule = %q", o.Category, o.Rule)
				}
				perm, _ := CategoryPermission(o.Category)
				if o.Reason == "" || !strings.Contains(o.Reason, perm) {
					t.Errorf("omission %s reason %q does not name %s", o.Category, o.Reason, perm)
				}
			}
			if !slices.Equal(got, tt.omitted) {
				t.Errorf("Omitted = %v, want %v", got, tt.omitted)
			}
		})
	}
}

func TestEvaluateQueryNarrowsVisibility(t *testing.T) {
	d := EvaluateQuery(caller(PermViewTeamOperators),
		QueryRequest{Scope: own, OperatorIDs: []string{"op-002"}})
	if !d.Allowed {
		t.Fatalf("denied: %s", d.Reason)
	}
	if !d.Visibility.CanSee("op-002") || d.Visibility.CanSee("op-001") || d.Visibility.CanSee("op-003") {
		t.Fatalf("visibility not narrowed to op-002")
	}
}

func TestEvaluateSubscription(t *testing.T) {
	tests := []struct {
		name    string
		c       Caller
		scope   Scope
		ops     []string
		allowed bool
		rule    string
	}{
		{"own tenant", caller(), own, nil, true, ""},
		{"other tenant", caller(), foreign, nil, false, RuleTenantIsolation},
		{"other tenant with cross-tenant-read", caller(PermCrossTenantRead), foreign, nil, true, ""},
		{"federation without permission", caller(), fedOwn, nil, false, RuleFederationAccess},
		{"federation with permission", caller(PermFederation("fed-1")), fedOwn, nil, true, ""},
		{"invisible operator", caller(), own, []string{"op-002"}, false, RuleOperatorAccess},
		{"own operator", caller(), own, []string{"op-001"}, true, ""},
		{"no bulk limit on subscriptions", caller(PermViewAllOperators), own, ops(50), true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := EvaluateSubscription(tt.c, tt.scope, tt.ops)
			if d.Allowed != tt.allowed || d.Rule != tt.rule {
				t.Fatalf("decision = %v %q (%s); want %v %q",
					d.Allowed, d.Rule, d.Reason, tt.allowed, tt.rule)
			}
		})
	}
}

func TestEvaluateAuditAndStats(t *testing.T) {
	tests := []struct {
		name    string
		c       Caller
		scope   Scope
		allowed bool
		rule    string
	}{
		{"own tenant with audit-read", caller(PermAuditRead), own, true, ""},
		{"own tenant without audit-read", caller(), own, false, RuleAuditPermission},
		{"other tenant with audit-read", caller(PermAuditRead), foreign, false, RuleTenantIsolation},
		{"other tenant, cross-tenant-read and audit-read", caller(PermAuditRead, PermCrossTenantRead), foreign, true, ""},
		{"other tenant, cross-tenant-read only", caller(PermCrossTenantRead), foreign, false, RuleAuditPermission},
		{"federation admin on federation scope", caller(PermAuditRead, PermFederationAdmin), fedBeta, true, ""},
	}
	for _, tt := range tests {
		for name, eval := range map[string]func(Caller, Scope) Decision{
			"audit": EvaluateAudit, "stats": EvaluateStats,
		} {
			t.Run(name+"/"+tt.name, func(t *testing.T) {
				d := eval(tt.c, tt.scope)
				if d.Allowed != tt.allowed || d.Rule != tt.rule {
					t.Fatalf("decision = %v %q (%s); want %v %q",
						d.Allowed, d.Rule, d.Reason, tt.allowed, tt.rule)
				}
			})
		}
	}
}
