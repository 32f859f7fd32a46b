package event

// Category is one of the eight event categories of events.md.
type Category uint8

// The eight categories, in the order of the spec's tables. The order is
// the order of every per-category array in the monitor.
const (
	TaskLifecycle Category = iota
	AlertLifecycle
	AuditFinding
	DriftDetection
	GovernanceLineage
	DocumentationDrift
	SimulationMismatch
	PerformanceSignal

	// NumCategories is the number of categories; valid values are below it.
	NumCategories = 8
)

var categoryNames = [NumCategories]string{
	"task-lifecycle",
	"alert-lifecycle",
	"audit-finding",
	"drift-detection",
	"governance-lineage",
	"documentation-drift",
	"simulation-mismatch",
	"performance-signal",
}

var engineNames = [NumCategories]string{
	"action-center",
	"alert-center",
	"auditor",
	"integrity-monitor",
	"governance",
	"documentation-engine",
	"simulation",
	"operator-analytics",
}

// Categories lists every category in spec order.
var Categories = [NumCategories]Category{
	TaskLifecycle, AlertLifecycle, AuditFinding, DriftDetection,
	GovernanceLineage, DocumentationDrift, SimulationMismatch,
	PerformanceSignal,
}

// String returns the category's wire name, such as "task-lifecycle".
func (c Category) String() string {
	if c < NumCategories {
		return categoryNames[c]
	}
	return "unknown"
}

// Engine returns the name of the engine that publishes the category, the
// key of cross-engine-performance's byEngine breakdown.
func (c Category) Engine() string {
	if c < NumCategories {
		return engineNames[c]
	}
	return "unknown"
}

// ParseCategory returns the category with the wire name s, and false when
// s names none.
func ParseCategory(s string) (Category, bool) {
	for i, n := range categoryNames {
		if n == s {
			return Category(i), true
		}
	}
	return 0, false
}

// Engines lists the engine names in category order.
func Engines() [NumCategories]string { return engineNames }
