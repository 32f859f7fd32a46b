package policy

// The permissions of policy.md, matched exactly against a token's
// permissions claim.
const (
	// PermCrossTenantRead lets a user read tenants other than its own.
	PermCrossTenantRead = "realtime:cross-tenant-read"
	// PermFederationAdmin lets a user read any federation's scope.
	PermFederationAdmin = "realtime:federation-admin"
	// PermViewAllOperators lets a user see every operator.
	PermViewAllOperators = "realtime:view-all-operators"
	// PermViewTeamOperators lets a user see its team's operators.
	PermViewTeamOperators = "realtime:view-team-operators"
	// PermViewCrossEngineMetrics unlocks cross-engine-performance.
	PermViewCrossEngineMetrics = "realtime:view-cross-engine-metrics"
	// PermViewWorkloadMetrics unlocks workload-delta.
	PermViewWorkloadMetrics = "realtime:view-workload-metrics"
	// PermViewTrendMetrics unlocks trend-signal.
	PermViewTrendMetrics = "realtime:view-trend-metrics"
	// PermBulkQuery lets a query name more than BulkOperatorLimit
	// operators.
	PermBulkQuery = "realtime:bulk-query"
	// PermAuditRead lets a user read the audit trail and statistics.
	PermAuditRead = "realtime:audit-read"
)

// federationPermPrefix prefixes a federation id in PermFederation.
const federationPermPrefix = "realtime:federation:"

// PermFederation returns the permission that grants access to the
// federation with the id federationID, "realtime:federation:<id>".
func PermFederation(federationID string) string {
	return federationPermPrefix + federationID
}
