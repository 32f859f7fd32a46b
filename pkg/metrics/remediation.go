package metrics

import (
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
)

// defaultRemediationWindow is remediation-timeline's window, in minutes,
// when the query sets none.
const defaultRemediationWindow = 1440

// remediationKeys are the byCategory keys of remediation-timeline, in
// the order of remediationCats.
var remediationKeys = []string{
	"audit", "drift", "governance", "documentation", "simulation",
}

// remediationCats are the event categories of remediation items.
var remediationCats = []event.Category{
	event.AuditFinding, event.DriftDetection, event.GovernanceLineage,
	event.DocumentationDrift, event.SimulationMismatch,
}

// remediationTypes are the event types of each of remediationCats.
var remediationTypes = func() [][]event.Type {
	out := make([][]event.Type, len(remediationCats))
	for i, c := range remediationCats {
		out[i] = event.TypesOf(c)
	}
	return out
}()

// stageKeys are the byStage keys of remediation-timeline.
var stageKeys = []string{"open", "acknowledged", "in-progress"}

// stage returns the index in stageKeys of an item whose latest applied
// event has type typ.
func stage(typ event.Type) int {
	switch typ {
	case event.FindingAcknowledged, event.DriftAcknowledged:
		return 1
	case event.RemediationStarted, event.DocUpdated, event.MismatchAnalyzed:
		return 2
	}
	return 0
}

// remediationIndex returns c's index in remediationCats, or -1.
func remediationIndex(c event.Category) int {
	for i, rc := range remediationCats {
		if rc == c {
			return i
		}
	}
	return -1
}

// remediationTimeline is metrics.md §5: open remediation items, and the
// items completed inside the window.
func remediationTimeline(in input, m *Metric) {
	w := in.opts.window(defaultRemediationWindow)
	after := in.now.Add(-time.Duration(w) * time.Minute)

	counts := in.openCounts()
	open := make([]float64, len(remediationKeys))
	stages := make([]float64, len(stageKeys))
	total := 0
	for i, c := range remediationCats {
		open[i] = float64(counts.Open[c])
		total += counts.Open[c]
		for _, typ := range remediationTypes[i] {
			stages[stage(typ)] += float64(counts.Status(typ))
		}
	}

	done := make([]float64, len(remediationKeys))
	mean := make([]float64, len(remediationKeys))
	completed := 0
	for c := range in.t.Completions(after, in.now) {
		i := remediationIndex(c.Category)
		if i < 0 || !in.f.Match(c.FacilityID, c.FederationID) {
			continue
		}
		done[i]++
		mean[i] += c.Duration.Minutes()
		completed++
	}
	for i := range mean {
		if done[i] > 0 {
			mean[i] /= done[i]
		}
	}

	m.Value = float64(total)
	m.Breakdown["byCategory"] = keyed(remediationKeys, open)
	m.Breakdown["byStage"] = keyed(stageKeys, stages)
	m.Breakdown["completedInWindow"] = keyed(remediationKeys, done)
	m.Breakdown["meanMinutesToRemediate"] = keyed(remediationKeys, mean)
	m.WindowMinutes = intPtr(w)
	m.Metadata.SampleSize = total + completed
}
