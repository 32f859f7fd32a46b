package client

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/opsmonitor/monitor/pkg/api"
	"github.com/opsmonitor/monitor/pkg/metrics"
)

// Scope narrows a request to a tenant, optionally a facility and/or a
// federation.
type Scope = metrics.Scope

// Result is a query's result.
type Result = api.Result

// DefaultTimeout bounds a request when the context has no deadline.
const DefaultTimeout = 10 * time.Second

// Client sends requests with one bearer token.
type Client struct {
	nc    *nats.Conn
	token string
}

// New returns a client that authenticates with token.
func New(nc *nats.Conn, token string) *Client {
	return &Client{nc: nc, token: token}
}

// Error is the monitor's answer to a request it refused: the code (400,
// 401, 403, ...), the rule and the reason.
type Error struct {
	Code   int
	Rule   string
	Reason string
}

// Error implements error.
func (e *Error) Error() string {
	return fmt.Sprintf("monitor answered %d (%s): %s", e.Code, e.Rule, e.Reason)
}

// Query is a query to send; nil numbers take the monitor's defaults.
type Query struct {
	QueryID       string   `json:"queryId,omitempty"`
	Description   string   `json:"description,omitempty"`
	Scope         Scope    `json:"scope"`
	Categories    []string `json:"categories,omitempty"`
	OperatorIDs   []string `json:"operatorIds,omitempty"`
	WindowMinutes *int     `json:"windowMinutes,omitempty"`
	RecentEvents  *int     `json:"recentEvents,omitempty"`
	SLATimers     *int     `json:"slaTimers,omitempty"`
	RequestedBy   string   `json:"requestedBy,omitempty"`
}

// Int returns a pointer to n, for Query's optional numbers.
func Int(n int) *int { return &n }

// Query asks monitor.query.<tenant>. A refusal is an *Error.
func (c *Client) Query(ctx context.Context, q Query) (*Result, error) {
	var res Result
	if err := c.request(ctx, "monitor.query."+q.Scope.TenantID, q, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// Metric asks for one metric category over scope.
func (c *Client) Metric(ctx context.Context, scope Scope, category string) (*metrics.Metric, error) {
	res, err := c.Query(ctx, Query{Scope: scope, Categories: []string{category}, RecentEvents: Int(0), SLATimers: Int(0)})
	if err != nil {
		return nil, err
	}
	if len(res.Metrics) == 0 {
		if len(res.Omitted) > 0 {
			o := res.Omitted[0]
			return nil, &Error{Code: 403, Rule: o.Rule, Reason: o.Reason}
		}
		return nil, fmt.Errorf("monitor returned no %s metric", category)
	}
	return &res.Metrics[0], nil
}

// LiveWorkload returns the live-workload metric of scope.
func (c *Client) LiveWorkload(ctx context.Context, scope Scope) (*metrics.Metric, error) {
	return c.Metric(ctx, scope, "live-workload")
}

// SLACountdowns returns the n most urgent SLA timers of scope (n 0-1000;
// the monitor's default 100 when n < 0).
func (c *Client) SLACountdowns(ctx context.Context, scope Scope, n int) ([]metrics.SLATimer, error) {
	q := Query{Scope: scope, Categories: []string{"sla-countdown"}, RecentEvents: Int(0)}
	if n >= 0 {
		q.SLATimers = Int(n)
	}
	res, err := c.Query(ctx, q)
	if err != nil {
		return nil, err
	}
	if res.StreamState == nil {
		return nil, nil
	}
	return res.StreamState.SLACountdowns, nil
}

// Stats asks monitor.stats.<tenant>.
func (c *Client) Stats(ctx context.Context, scope Scope) (*api.Stats, error) {
	var out api.Stats
	if err := c.request(ctx, "monitor.stats."+scope.TenantID, map[string]any{"scope": scope}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Health asks monitor.health (no token needed).
func (c *Client) Health(ctx context.Context) (*api.Health, error) {
	var out api.Health
	if err := c.request(ctx, "monitor.health", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AuditRequest asks for one page of a tenant's audit trail.
type AuditRequest struct {
	Scope  Scope      `json:"scope"`
	Types  []string   `json:"types,omitempty"`
	Since  *time.Time `json:"since,omitempty"`
	Until  *time.Time `json:"until,omitempty"`
	UserID string     `json:"userId,omitempty"`
	Limit  int        `json:"limit,omitempty"`
	Cursor string     `json:"cursor,omitempty"`
	Format string     `json:"format,omitempty"`
}

// AuditPage is one page: the body as sent (JSON or CSV) and the cursor of
// the next page, empty at the end.
type AuditPage struct {
	Body       []byte
	NextCursor string
}

// Audit asks monitor.audit.<tenant> for one page.
func (c *Client) Audit(ctx context.Context, req AuditRequest) (*AuditPage, error) {
	msg, err := c.send(ctx, "monitor.audit."+req.Scope.TenantID, req)
	if err != nil {
		return nil, err
	}
	page := &AuditPage{Body: msg.Data}
	if req.Format == "csv" {
		page.NextCursor = msg.Header.Get(api.HeaderNextCursor)
		return page, nil
	}
	var doc struct {
		NextCursor string `json:"nextCursor"`
	}
	if err := json.Unmarshal(msg.Data, &doc); err != nil {
		return nil, fmt.Errorf("decoding audit page: %w", err)
	}
	page.NextCursor = doc.NextCursor
	return page, nil
}

// request sends body to subject and decodes the reply into out.
func (c *Client) request(ctx context.Context, subject string, body, out any) error {
	msg, err := c.send(ctx, subject, body)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(msg.Data, out); err != nil {
		return fmt.Errorf("decoding reply from %s: %w", subject, err)
	}
	return nil
}

// send makes the request and turns a service error into *Error.
func (c *Client) send(ctx context.Context, subject string, body any) (*nats.Msg, error) {
	m := nats.NewMsg(subject)
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		m.Data = b
	}
	if c.token != "" {
		m.Header.Set("Authorization", "Bearer "+c.token)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	reply, err := c.nc.RequestMsgWithContext(ctx, m)
	if err != nil {
		return nil, fmt.Errorf("requesting %s: %w", subject, err)
	}
	if code := reply.Header.Get("Nats-Service-Error-Code"); code != "" {
		e := &Error{Reason: reply.Header.Get("Nats-Service-Error")}
		e.Code, _ = strconv.Atoi(code)
		var doc api.ErrorReply
		if json.Unmarshal(reply.Data, &doc) == nil && doc.Error.Code != 0 {
			e.Code, e.Rule, e.Reason = doc.Error.Code, doc.Error.Rule, doc.Error.Reason
		}
		return nil, e
	}
	return reply, nil
}
