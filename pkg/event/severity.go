package event

// Severity is an event's or entity's severity.
type Severity uint8

// The four severities, most severe first. Per-severity arrays use this
// order.
const (
	Critical Severity = iota
	High
	Medium
	Low

	// NumSeverities is the number of severities.
	NumSeverities = 4
)

var severityNames = [NumSeverities]string{"critical", "high", "medium", "low"}

// Severities lists every severity, most severe first.
var Severities = [NumSeverities]Severity{Critical, High, Medium, Low}

// String returns the severity's wire name.
func (s Severity) String() string {
	if s < NumSeverities {
		return severityNames[s]
	}
	return "unknown"
}

// ParseSeverity returns the severity named s, and false when s names none.
func ParseSeverity(s string) (Severity, bool) {
	for i, n := range severityNames {
		if n == s {
			return Severity(i), true
		}
	}
	return 0, false
}
