package event

// Type is an event type, unique across categories (every category's type
// names are distinct from every other's, apart from the shared names
// "acknowledged", "resolved" and "dismissed", which the pair (Category,
// Type) keeps apart).
type Type uint8

// Role is what an event type does to its entity.
type Role uint8

// The lifecycle roles of events.md.
const (
	// Informational events belong to no entity.
	Informational Role = iota
	// Opening events create an entity.
	Opening
	// Progress events change an open entity's status.
	Progress
	// Closing events end an entity.
	Closing
)

// The event types of every category.
const (
	TypeUnknown Type = iota

	TaskCreated
	TaskAcknowledged
	TaskAssigned
	TaskInProgress
	TaskResolved
	TaskDismissed

	AlertDetected
	AlertAcknowledged
	AlertEscalated
	AlertResolved
	AlertDismissed

	FindingCreated
	FindingAcknowledged
	RemediationStarted
	RemediationCompleted

	DriftDetected
	DriftAcknowledged
	DriftRemediated

	PolicyViolation
	PolicyResolved
	LineageUpdated

	DocOutdated
	DocUpdated
	DocValidated

	MismatchDetected
	MismatchAnalyzed
	MismatchResolved

	MetricComputed
	SLABreached
	WorkloadChanged

	numTypes
)

type typeInfo struct {
	cat  Category
	name string
	role Role
}

var typeTable = [numTypes]typeInfo{
	TypeUnknown: {name: "unknown"},

	TaskCreated:      {TaskLifecycle, "created", Opening},
	TaskAcknowledged: {TaskLifecycle, "acknowledged", Progress},
	TaskAssigned:     {TaskLifecycle, "assigned", Progress},
	TaskInProgress:   {TaskLifecycle, "in-progress", Progress},
	TaskResolved:     {TaskLifecycle, "resolved", Closing},
	TaskDismissed:    {TaskLifecycle, "dismissed", Closing},

	AlertDetected:     {AlertLifecycle, "detected", Opening},
	AlertAcknowledged: {AlertLifecycle, "acknowledged", Progress},
	AlertEscalated:    {AlertLifecycle, "escalated", Progress},
	AlertResolved:     {AlertLifecycle, "resolved", Closing},
	AlertDismissed:    {AlertLifecycle, "dismissed", Closing},

	FindingCreated:       {AuditFinding, "finding-created", Opening},
	FindingAcknowledged:  {AuditFinding, "finding-acknowledged", Progress},
	RemediationStarted:   {AuditFinding, "remediation-started", Progress},
	RemediationCompleted: {AuditFinding, "remediation-completed", Closing},

	DriftDetected:     {DriftDetection, "drift-detected", Opening},
	DriftAcknowledged: {DriftDetection, "drift-acknowledged", Progress},
	DriftRemediated:   {DriftDetection, "drift-remediated", Closing},

	PolicyViolation: {GovernanceLineage, "policy-violation", Opening},
	PolicyResolved:  {GovernanceLineage, "policy-resolved", Closing},
	LineageUpdated:  {GovernanceLineage, "lineage-updated", Informational},

	DocOutdated:  {DocumentationDrift, "doc-outdated", Opening},
	DocUpdated:   {DocumentationDrift, "doc-updated", Progress},
	DocValidated: {DocumentationDrift, "doc-validated", Closing},

	MismatchDetected: {SimulationMismatch, "mismatch-detected", Opening},
	MismatchAnalyzed: {SimulationMismatch, "mismatch-analyzed", Progress},
	MismatchResolved: {SimulationMismatch, "mismatch-resolved", Closing},

	MetricComputed:  {PerformanceSignal, "metric-computed", Informational},
	SLABreached:     {PerformanceSignal, "sla-breached", Informational},
	WorkloadChanged: {PerformanceSignal, "workload-changed", Informational},
}

// String returns the type's wire name, such as "finding-created".
func (t Type) String() string {
	if t < numTypes {
		return typeTable[t].name
	}
	return "unknown"
}

// Category returns the category the type belongs to.
func (t Type) Category() Category {
	if t < numTypes {
		return typeTable[t].cat
	}
	return NumCategories
}

// Role returns the type's lifecycle role.
func (t Type) Role() Role {
	if t < numTypes {
		return typeTable[t].role
	}
	return Informational
}

// ParseType returns the type named s within category c, and false when c
// has no such type.
func ParseType(c Category, s string) (Type, bool) {
	for i := TaskCreated; i < numTypes; i++ {
		if typeTable[i].cat == c && typeTable[i].name == s {
			return i, true
		}
	}
	return TypeUnknown, false
}

// TypesOf returns the event types of category c in spec order.
func TypesOf(c Category) []Type {
	var out []Type
	for i := TaskCreated; i < numTypes; i++ {
		if typeTable[i].cat == c {
			out = append(out, i)
		}
	}
	return out
}
