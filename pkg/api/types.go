package api

import (
	"time"

	"github.com/opsmonitor/monitor/pkg/metrics"
	"github.com/opsmonitor/monitor/pkg/policy"
)

// Query is a validated query, echoed in its result with defaults filled
// in.
type Query struct {
	QueryID       string        `json:"queryId,omitempty"`
	Description   string        `json:"description,omitempty"`
	Scope         metrics.Scope `json:"scope"`
	Categories    []string      `json:"categories"`
	OperatorIDs   []string      `json:"operatorIds"`
	WindowMinutes *int          `json:"windowMinutes,omitempty"`
	RecentEvents  int           `json:"recentEvents"`
	SLATimers     int           `json:"slaTimers"`
	RequestedBy   string        `json:"requestedBy,omitempty"`
	RequestedAt   *time.Time    `json:"requestedAt,omitempty"`
}

// Result is a query's answer.
type Result struct {
	ResultID    string               `json:"resultId"`
	Query       Query                `json:"query"`
	ComputedAt  time.Time            `json:"computedAt"`
	Metrics     []metrics.Metric     `json:"metrics"`
	Omitted     []policy.Omission    `json:"omitted"`
	StreamState *metrics.StreamState `json:"streamState"`
	References  References           `json:"references"`
	Summary     Summary              `json:"summary"`
	Truncated   []string             `json:"truncated"`
}

// References name the events and entities behind a result.
type References struct {
	EventIDs  []string `json:"eventIds"`
	EntityIDs []string `json:"entityIds"`
}

// Summary is a result's summary over the whole scope.
type Summary struct {
	MetricsComputed int `json:"metricsComputed"`
	metrics.Summary
}

// ErrorBody is the error document every endpoint answers with.
type ErrorBody struct {
	Code   int    `json:"code"`
	Rule   string `json:"rule"`
	Reason string `json:"reason"`
}

// ErrorReply is the body of an error answer; a query's carries the
// result id and the query as far as it was understood.
type ErrorReply struct {
	ResultID string    `json:"resultId,omitempty"`
	Query    *Query    `json:"query,omitempty"`
	Error    ErrorBody `json:"error"`
}

// Health is the document of monitor.health.
type Health struct {
	Status        string           `json:"status"`
	Version       string           `json:"version"`
	UptimeSeconds int64            `json:"uptimeSeconds"`
	Tenants       int              `json:"tenants"`
	Rebuild       RebuildProgress  `json:"rebuild"`
	Consumers     []ConsumerHealth `json:"consumers"`
}

// RebuildProgress says how far the start-up rebuild has come.
type RebuildProgress struct {
	Done    bool   `json:"done"`
	Applied uint64 `json:"applied"`
	Target  uint64 `json:"target"`
}

// ConsumerHealth is one durable consumer's backlog.
type ConsumerHealth struct {
	Category    string `json:"category"`
	Pending     uint64 `json:"pending"`
	AckPending  int    `json:"ackPending"`
	Redelivered int    `json:"redelivered"`
}

// Stats is the document of monitor.stats.<tenant>.
type Stats struct {
	Scope        metrics.Scope        `json:"scope"`
	ComputedAt   time.Time            `json:"computedAt"`
	Totals       StatsTotals          `json:"totals"`
	ByCategory   map[string]uint64    `json:"byCategory"`
	BySeverity   map[string]uint64    `json:"bySeverity"`
	ByOperator   map[string]float64   `json:"byOperator"`
	ByTenant     map[string]uint64    `json:"byTenant"`
	StreamHealth metrics.StreamHealth `json:"streamHealth"`
	Trends       StatsTrends          `json:"trends"`
}

// StatsTotals are a tenant's totals since its state began.
type StatsTotals struct {
	EventsReceived  uint64 `json:"eventsReceived"`
	MetricsComputed uint64 `json:"metricsComputed"`
	PolicyAllowed   uint64 `json:"policyAllowed"`
	PolicyDenied    uint64 `json:"policyDenied"`
	Errors          uint64 `json:"errors"`
}

// StatsTrends compare the last minute with the one before, on the
// monitor's clock.
type StatsTrends struct {
	EventsPerMinute  MinuteTrend `json:"eventsPerMinute"`
	MetricsPerMinute MinuteTrend `json:"metricsPerMinute"`
}

// MinuteTrend is one this-minute-versus-last figure.
type MinuteTrend struct {
	Current    float64 `json:"current"`
	Previous   float64 `json:"previous"`
	ChangeRate float64 `json:"changeRate"`
}
