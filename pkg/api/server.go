package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/micro"
	"github.com/nats-io/nuid"
	"github.com/rs/zerolog"

	"github.com/opsmonitor/monitor/pkg/audit"
	"github.com/opsmonitor/monitor/pkg/consumer"
	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/policy"
	"github.com/opsmonitor/monitor/pkg/state"
	"github.com/opsmonitor/monitor/pkg/subscribe"
)

// Defaults of Config.
const (
	DefaultMaxBodyBytes = 64 << 10
	DefaultRateLimit    = 20
	DefaultWorkers      = 256
)

// Config wires a Server to the running monitor.
type Config struct {
	Conn     *nats.Conn
	Registry *state.Registry
	// Pipeline reports rebuild progress and consumer backlog.
	Pipeline *consumer.Pipeline
	Verifier *policy.Verifier
	// Tenant is the tenant state configuration (buffer size, SLA hours),
	// used to answer for a tenant that has no events yet.
	Tenant state.Config

	// Audit records entries; nil records nothing.
	Audit *audit.Writer
	// AuditReader serves monitor.audit; nil answers 503.
	AuditReader *audit.Reader
	// Tally counts audit entries for statistics; nil counts nothing.
	Tally *audit.Tally
	// AuthFailures bounds the audit entries of failed authentications.
	AuthFailures *audit.AuthFailureLimiter
	// Received returns a tenant's live events received in the last minute
	// and the one before, on the monitor's clock, for statistics.
	Received func(tenant string, now time.Time) (current, previous int)
	// Subscriptions runs managed subscriptions; nil leaves
	// monitor.subscribe and monitor.unsubscribe unregistered.
	Subscriptions *subscribe.Engine

	// Status returns the service status for health.
	Status  func() string
	Version string
	Started time.Time

	// RateLimit is requests per second per (tenant, user); 0 means the
	// default, 20; negative disables.
	RateLimit float64
	// MaxBodyBytes bounds request bodies; default 64 KiB.
	MaxBodyBytes int
	// Workers bounds requests handled at once; default 256. When all are
	// busy, the endpoint's subscription waits and NATS buffers.
	Workers int

	// Observe is told of every answered request: the endpoint, the
	// answer's code ("200", "403", ...) and how long it took. Optional.
	Observe func(endpoint, code string, d time.Duration)

	Now    func() time.Time
	Logger zerolog.Logger
}

// Server is the monitor's request/reply service.
type Server struct {
	cfg     Config
	log     zerolog.Logger
	limiter *limiter
	svc     micro.Service
	sem     chan struct{}
	wg      sync.WaitGroup
}

// New checks cfg and returns a server; Start registers it on NATS.
func New(cfg Config) (*Server, error) {
	if cfg.Conn == nil || cfg.Registry == nil || cfg.Pipeline == nil || cfg.Verifier == nil {
		return nil, errors.New("api: connection, registry, pipeline and verifier are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = DefaultRateLimit
	}
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.Status == nil {
		cfg.Status = func() string { return "ok" }
	}
	if cfg.Started.IsZero() {
		cfg.Started = cfg.Now()
	}
	return &Server{
		cfg:     cfg,
		log:     cfg.Logger.With().Str("component", "api").Logger(),
		limiter: newLimiter(cfg.RateLimit, cfg.Now),
		sem:     make(chan struct{}, cfg.Workers),
	}, nil
}

// endpoint is one request handler: it gets a request that passed the
// size, token and rate checks (health skips the last two) and returns a
// reply.
type endpoint struct {
	name    string
	subject string
	public  bool // no token (health)
	// resultIDs gives every error reply a result id (queries).
	resultIDs bool
	handle    func(ctx context.Context, r *request) reply
}

// request is one request in flight.
type request struct {
	id      string
	subject string
	tenant  string // the subject's tenant token; "" for health
	body    []byte
	caller  policy.Caller
	now     time.Time
}

// reply is what a handler answers: a body (JSON-encoded unless raw is
// set) with headers, or an error.
type reply struct {
	body    any
	raw     []byte
	headers nats.Header
	err     *Error
	// For query errors: the result id and the query as understood.
	resultID string
	query    *Query
}

func errReply(e *Error) reply { return reply{err: e} }

// Start registers the micro service and its endpoints.
func (s *Server) Start() error {
	version := s.cfg.Version
	if !semver(version) {
		version = "0.0.0-" + sanitizeVersion(version)
	}
	svc, err := micro.AddService(s.cfg.Conn, micro.Config{
		Name:        "monitor",
		Version:     version,
		Description: "Real-time performance monitor: metrics, statistics, audit and live subscriptions",
	})
	if err != nil {
		return fmt.Errorf("registering the monitor service: %w", err)
	}
	s.svc = svc
	for _, ep := range s.endpoints() {
		if err := svc.AddEndpoint(ep.name, s.wrap(ep), micro.WithEndpointSubject(ep.subject)); err != nil {
			_ = svc.Stop()
			return fmt.Errorf("adding endpoint %s: %w", ep.name, err)
		}
	}
	return nil
}

func (s *Server) endpoints() []endpoint {
	eps := []endpoint{
		{name: "query", subject: "monitor.query.*", resultIDs: true, handle: s.query},
		{name: "stats", subject: "monitor.stats.*", handle: s.stats},
		{name: "audit", subject: "monitor.audit.*", handle: s.audit},
		{name: "health", subject: "monitor.health", public: true, handle: s.health},
	}
	if s.cfg.Subscriptions != nil {
		eps = append(eps,
			endpoint{name: "subscribe", subject: "monitor.subscribe.*", handle: s.subscribe},
			endpoint{name: "unsubscribe", subject: "monitor.unsubscribe.*", handle: s.unsubscribe})
	}
	return eps
}

// Stop unregisters the service and waits for requests in flight.
func (s *Server) Stop() error {
	var err error
	if s.svc != nil {
		err = s.svc.Stop()
	}
	s.wg.Wait()
	return err
}

// wrap turns an endpoint into a micro handler that runs it on a bounded
// worker, after the checks every endpoint shares, and recovers a panic
// into a 500.
//
// The reply is published on the request's reply subject directly rather
// than through micro.Request, whose bookkeeping is not safe once the
// handler has returned; micro's own statistics therefore count every
// request as answered, and errors are counted in the monitor's metrics.
func (s *Server) wrap(ep endpoint) micro.Handler {
	return micro.HandlerFunc(func(mr micro.Request) {
		in := inbound{subject: mr.Subject(), reply: mr.Reply(), body: mr.Data(), headers: nats.Header(mr.Headers())}
		s.sem <- struct{}{}
		s.wg.Add(1)
		go func() {
			defer func() {
				<-s.sem
				s.wg.Done()
			}()
			s.serve(ep, in)
		}()
	})
}

// inbound is what a handler needs of a request message.
type inbound struct {
	subject, reply string
	body           []byte
	headers        nats.Header
}

func (s *Server) serve(ep endpoint, in inbound) {
	start := time.Now()
	r := &request{id: nuid.Next(), subject: in.subject, body: in.body, now: s.cfg.Now()}
	if !ep.public {
		r.tenant = subjectTenant(r.subject)
	}
	var rep reply
	defer func() {
		if v := recover(); v != nil {
			s.log.Error().Str("request_id", r.id).Str("endpoint", ep.name).
				Str("panic", fmt.Sprint(v)).Msg("recovered panic in request handler")
			rep = errReply(internal(r.id))
		}
		if rep.err != nil && ep.resultIDs && rep.resultID == "" {
			rep.resultID = "r-" + r.id
		}
		s.respond(in.reply, r, ep.name, rep)
		if s.cfg.Observe != nil {
			code := "200"
			if rep.err != nil {
				code = strconv.Itoa(rep.err.Code)
			}
			s.cfg.Observe(ep.name, code, time.Since(start))
		}
	}()

	if len(r.body) > s.cfg.MaxBodyBytes {
		rep = errReply(&Error{Code: 413, Rule: RuleSizeLimit, Reason: fmt.Sprintf("the body is larger than %d bytes", s.cfg.MaxBodyBytes)})
		return
	}
	if !ep.public {
		caller, err := s.authenticate(in.headers, r, ep.name)
		if err != nil {
			rep = errReply(err)
			return
		}
		r.caller = caller
		if !s.limiter.Allow(caller.TenantID, caller.UserID) {
			rep = errReply(&Error{Code: 429, Rule: RuleRateLimit, Reason: "too many requests from this user; slow down"})
			return
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rep = ep.handle(ctx, r)
}

// authenticate verifies the bearer token. A failure is audited under the
// subject's tenant, at a bounded rate.
func (s *Server) authenticate(h nats.Header, r *request, endpoint string) (policy.Caller, *Error) {
	tok, err := policy.BearerToken(h.Get("Authorization"))
	var caller policy.Caller
	if err == nil {
		caller, err = s.cfg.Verifier.Verify(tok)
	}
	if err == nil {
		return caller, nil
	}
	reason := "a valid bearer token is required"
	if errors.Is(err, policy.ErrUnauthenticated) {
		reason = err.Error()
	}
	if event.ValidName(r.tenant) && s.cfg.Audit != nil {
		e := audit.Entry{Type: audit.TypeError, TenantID: r.tenant, Endpoint: endpoint,
			Decision: audit.DecisionDenied, Rule: RuleAuthentication, Reason: reason}
		if s.cfg.AuthFailures != nil {
			if admitted, ok := s.cfg.AuthFailures.Admit(e); ok {
				s.cfg.Audit.Record(admitted)
			}
		} else {
			s.cfg.Audit.Record(e)
		}
	}
	return caller, &Error{Code: 401, Rule: RuleAuthentication, Reason: reason}
}

// respond publishes rep on the reply subject; an error carries the micro
// service error headers.
func (s *Server) respond(replyTo string, r *request, endpoint string, rep reply) {
	if replyTo == "" {
		return
	}
	m := nats.NewMsg(replyTo)
	for k, v := range rep.headers {
		m.Header[k] = v
	}
	if rep.err != nil {
		if rep.err.Code >= 500 {
			s.log.Error().Str("request_id", r.id).Str("endpoint", endpoint).Str("reason", rep.err.Reason).Msg("request failed")
		}
		m.Data, _ = json.Marshal(ErrorReply{ResultID: rep.resultID, Query: rep.query, Error: rep.err.Body()})
		m.Header.Set(micro.ErrorHeader, rep.err.Reason)
		m.Header.Set(micro.ErrorCodeHeader, strconv.Itoa(rep.err.Code))
	} else if m.Data = rep.raw; m.Data == nil {
		var err error
		if m.Data, err = json.Marshal(rep.body); err != nil {
			s.log.Error().Err(err).Str("request_id", r.id).Msg("encoding reply failed")
			s.respond(replyTo, r, endpoint, errReply(internal(r.id)))
			return
		}
	}
	if err := s.cfg.Conn.PublishMsg(m); err != nil {
		s.log.Debug().Err(err).Str("request_id", r.id).Msg("reply not sent")
	}
}

// record writes an audit entry when auditing is on.
func (s *Server) record(e audit.Entry) {
	if s.cfg.Audit != nil {
		s.cfg.Audit.Record(e)
	}
}

// recordDecision audits a policy decision under the tenant asked about.
func (s *Server) recordDecision(r *request, endpoint, tenant string, d policy.Decision) {
	e := audit.Entry{Type: audit.TypePolicyDecision, TenantID: tenant, UserID: r.caller.UserID,
		UserTenantID: r.caller.TenantID, Endpoint: endpoint, Reason: d.Reason}
	if d.Allowed {
		e.Decision = audit.DecisionAllowed
	} else {
		e.Decision, e.Rule = audit.DecisionDenied, d.Rule
	}
	s.record(e)
}

// requestedBy checks the optional requestedBy against the token.
func requestedBy(f fields, c policy.Caller) *Error {
	by, err := f.str("requestedBy", 128)
	if err != nil {
		return err
	}
	if by != "" && by != c.UserID {
		return forbidden(RuleAuthentication, "requestedBy is not the token's subject")
	}
	return nil
}

// rebuilding answers 503 while the start-up rebuild runs.
func (s *Server) rebuilding() *Error {
	p := s.cfg.Pipeline.Progress()
	if p.Done {
		return nil
	}
	return &Error{Code: 503, Rule: RuleRebuilding,
		Reason: fmt.Sprintf("state is being rebuilt after a start: %d of %d events applied", p.Applied, p.Target)}
}

// semver reports whether v looks like MAJOR.MINOR.PATCH[-pre][+build].
func semver(v string) bool {
	parts := 0
	digits := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && digits > 0 && parts < 2:
			parts++
			digits = 0
		case (c == '-' || c == '+') && parts == 2 && digits > 0:
			return true
		default:
			return false
		}
	}
	return parts == 2 && digits > 0
}

func sanitizeVersion(v string) string {
	out := make([]byte, 0, len(v))
	for i := 0; i < len(v) && len(out) < 32; i++ {
		c := v[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return "dev"
	}
	return string(out)
}
