package metrics

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/state"
)

// activeFor is how recently an event must have been received for the
// stream to count as active.
const activeFor = 5 * time.Minute

// StreamState is the stream-state document of metrics.md.
type StreamState struct {
	StateID            string         `json:"stateId"`
	Scope              Scope          `json:"scope"`
	RecentEvents       []RecentEvent  `json:"recentEvents"`
	MaxEventBufferSize int            `json:"maxEventBufferSize"`
	RollingMetrics     RollingMetrics `json:"rollingMetrics"`
	SLACountdowns      []SLATimer     `json:"slaCountdowns"`
	WorkloadState      []OperatorLoad `json:"workloadState"`
	StreamHealth       StreamHealth   `json:"streamHealth"`
}

// RecentEvent is one buffered event. It marshals as the event's JSON as
// received; the other fields let the visibility filter decide whether
// to strip operatorId and operatorName from it.
type RecentEvent struct {
	Seq        uint64
	EventID    string
	OperatorID string // empty when the event has none
	Raw        json.RawMessage
}

// MarshalJSON returns the raw event body.
func (r RecentEvent) MarshalJSON() ([]byte, error) {
	if len(r.Raw) == 0 {
		return []byte("null"), nil
	}
	return r.Raw, nil
}

// RollingMetrics are the scope's event totals.
type RollingMetrics struct {
	TotalEventsReceived uint64            `json:"totalEventsReceived"`
	EventsPerMinute     float64           `json:"eventsPerMinute"`
	EventsByCategory    map[string]uint64 `json:"eventsByCategory"`
	EventsBySeverity    map[string]uint64 `json:"eventsBySeverity"`
}

// SLATimer is one SLA timer of slaCountdowns. OperatorID and
// OperatorName name a task's assignee; the visibility filter removes
// them for operators the caller may not see.
type SLATimer struct {
	EntityID           string    `json:"entityId"`
	EntityType         string    `json:"entityType"`
	Severity           string    `json:"severity"`
	StartTime          time.Time `json:"startTime"`
	SLAThresholdHours  float64   `json:"slaThresholdHours"`
	TimeRemainingHours float64   `json:"timeRemainingHours"`
	Status             string    `json:"status"`
	OperatorID         string    `json:"operatorId,omitempty"`
	OperatorName       string    `json:"operatorName,omitempty"`
}

// OperatorLoad is one row of workloadState.
type OperatorLoad struct {
	OperatorID    string         `json:"operatorId"`
	OperatorName  string         `json:"operatorName,omitempty"`
	ActiveTasks   int            `json:"activeTasks"`
	CriticalTasks int            `json:"criticalTasks"`
	BySeverity    map[string]int `json:"bySeverity"`
}

// StreamHealth is the tenant-wide health of the event stream.
type StreamHealth struct {
	IsActive bool `json:"isActive"`
	// LastEventReceived is null before the first event.
	LastEventReceived *time.Time `json:"lastEventReceived"`
	// EventLag is in whole milliseconds.
	EventLag         int64             `json:"eventLag"`
	MissedEvents     uint64            `json:"missedEvents"`
	Duplicates       uint64            `json:"duplicates"`
	Orphans          uint64            `json:"orphans"`
	LateTransitions  uint64            `json:"lateTransitions"`
	RejectedByReason map[string]uint64 `json:"rejectedByReason"`
	Pending          uint64            `json:"pending"`
}

// ComputeStreamState returns tenant t's stream state for scope at now
// (truncated to the second); pending is the consumers' undelivered
// message count, which only the caller knows.
func ComputeStreamState(t *state.Tenant, scope Scope, now time.Time,
	opts Options, pending uint64) StreamState {
	now = evalTime(now)
	return streamState(newInput(t, scope, now, opts), scope, pending)
}

// streamState returns the stream state of in for scope.
func streamState(in input, scope Scope, pending uint64) StreamState {
	return StreamState{
		StateID:            in.t.ID(),
		Scope:              scope,
		RecentEvents:       recentEvents(in),
		MaxEventBufferSize: in.t.Config().RecentEvents,
		RollingMetrics:     rollingMetrics(in),
		SLACountdowns:      slaCountdowns(in),
		WorkloadState:      workloadState(in),
		StreamHealth:       streamHealth(in.t, in.now, pending),
	}
}

// recentEvents returns the newest buffered events in scope, at most the
// options' count, in ascending stream sequence.
func recentEvents(in input) []RecentEvent {
	n := in.opts.recentEvents(in.t.Config().RecentEvents)
	out := make([]RecentEvent, 0, n)
	for r := range in.t.RecentNewestFirst() {
		if len(out) == n {
			break
		}
		if !in.f.Match(r.FacilityID, r.FederationID) {
			continue
		}
		out = append(out, RecentEvent{
			Seq:        r.Seq,
			EventID:    r.EventID,
			OperatorID: r.OperatorID,
			Raw:        r.Raw,
		})
	}
	slices.Reverse(out)
	return out
}

// rollingMetrics returns the scope's all-time totals and current rate.
func rollingMetrics(in input) RollingMetrics {
	tot := in.t.Totals(in.f)
	byCat := make(map[string]uint64, event.NumCategories)
	for _, c := range event.Categories {
		byCat[c.String()] = tot.ByCategory[c]
	}
	bySev := make(map[string]uint64, event.NumSeverities)
	for _, s := range event.Severities {
		bySev[s.String()] = tot.BySeverity[s]
	}
	return RollingMetrics{
		TotalEventsReceived: tot.Events,
		EventsPerMinute:     eventsPerMinute(in),
		EventsByCategory:    byCat,
		EventsBySeverity:    bySev,
	}
}

// workloadState returns one row per operator with open assigned tasks in
// scope, most loaded first, then by operator id.
func workloadState(in input) []OperatorLoad {
	loads := in.loads()
	out := make([]OperatorLoad, 0, len(loads))
	for op, l := range loads {
		row := OperatorLoad{
			OperatorID:    op,
			ActiveTasks:   l.Tasks,
			CriticalTasks: l.BySeverity[event.Critical],
			BySeverity:    make(map[string]int, event.NumSeverities),
		}
		row.OperatorName, _ = in.t.OperatorName(op)
		for _, s := range event.Severities {
			row.BySeverity[s.String()] = l.BySeverity[s]
		}
		out = append(out, row)
	}
	slices.SortFunc(out, func(a, b OperatorLoad) int {
		if a.ActiveTasks != b.ActiveTasks {
			return b.ActiveTasks - a.ActiveTasks
		}
		return strings.Compare(a.OperatorID, b.OperatorID)
	})
	return out
}

// streamHealth returns the tenant-wide health counters.
func streamHealth(t *state.Tenant, now time.Time, pending uint64) StreamHealth {
	h := t.Health()
	out := StreamHealth{
		EventLag:         h.Lag.Milliseconds(),
		Duplicates:       h.Duplicates,
		Orphans:          h.Orphans,
		LateTransitions:  h.LateTransitions,
		RejectedByReason: make(map[string]uint64, event.NumReasons),
		Pending:          pending,
	}
	if !h.LastReceived.IsZero() {
		last := h.LastReceived.UTC()
		out.LastEventReceived = &last
		out.IsActive = last.After(now.Add(-activeFor))
	}
	for _, r := range event.Reasons {
		out.RejectedByReason[r.String()] = h.Rejected[r]
		out.MissedEvents += h.Rejected[r]
	}
	return out
}
