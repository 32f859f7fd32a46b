package monitor

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"

	"github.com/opsmonitor/monitor/pkg/api"
	"github.com/opsmonitor/monitor/pkg/audit"
	"github.com/opsmonitor/monitor/pkg/consumer"
	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/state"
	"github.com/opsmonitor/monitor/pkg/subscribe"
	"github.com/opsmonitor/monitor/pkg/telemetry"
)

// Status values of the health document.
const (
	StatusStarting   = "starting"
	StatusStandby    = "standby"
	StatusRebuilding = "rebuilding"
	StatusOK         = "ok"
	StatusDegraded   = "degraded"
)

// Service is one running monitor.
type Service struct {
	cfg     Config
	log     zerolog.Logger
	started time.Time

	status atomic.Value // string

	// Set during Run, read by the API and HTTP handlers once ready.
	ns          *server.Server
	nc          *nats.Conn
	pub         *nats.Conn // republishing and subscription delivery
	js          jetstream.JetStream
	registry    *state.Registry
	pipeline    *consumer.Pipeline
	auditW      *audit.Writer
	auditNC     *nats.Conn // the audit writer's publishes
	auditReader *audit.Reader
	tally       *audit.Tally
	rates       *receiptRates
	api         *api.Server
	web         *web // HTTP endpoints and metrics, built by New
	subs        *subscribe.Engine

	// ready is closed once the pipeline exists (the rebuild may still run).
	ready     chan struct{}
	readyOnce sync.Once
}

// New checks cfg and returns a service; Run starts it.
func New(cfg Config, log zerolog.Logger) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.DataDir == "" {
		cfg.DataDir = "./data"
	}
	if cfg.Instance == "" {
		host, _ := os.Hostname()
		cfg.Instance = fmt.Sprintf("%s:%d", host, os.Getpid())
	}
	s := &Service{cfg: cfg, log: log, started: time.Now(), ready: make(chan struct{}), rates: newReceiptRates()}
	s.status.Store(StatusStarting)
	w, err := newWeb(s, cfg.Prometheus, cfg.Metrics)
	if err != nil {
		return nil, err
	}
	s.web = w
	return s, nil
}

// Status returns starting, standby, rebuilding, ok or degraded.
func (s *Service) Status() string {
	st := s.status.Load().(string)
	if st != StatusOK {
		return st
	}
	if !s.pipeline.Progress().Done {
		return StatusRebuilding
	}
	for _, c := range s.pipeline.Consumers() {
		if c.Missing {
			return StatusDegraded
		}
	}
	return StatusOK
}

// Conn returns the service's NATS connection, nil before Run connects.
func (s *Service) Conn() *nats.Conn { return s.nc }

// Registry returns the tenant registry, nil before Run creates it.
func (s *Service) Registry() *state.Registry { return s.registry }

// Pipeline returns the event pipeline, nil before Run creates it.
func (s *Service) Pipeline() *consumer.Pipeline { return s.pipeline }

// Subscriptions returns the managed subscriptions engine, for its
// counters; nil before Run creates it.
func (s *Service) Subscriptions() *subscribe.Engine { return s.subs }

// Ready is closed once the registry and pipeline exist.
func (s *Service) Ready() <-chan struct{} { return s.ready }

// Run connects, waits for the active lease, provisions, rebuilds and
// consumes until ctx ends, then drains: in-flight batches are applied and
// acknowledged, the lease is released and the connection drained.
func (s *Service) Run(ctx context.Context) (err error) {
	verifier, err := s.verifier()
	if err != nil {
		return err
	}
	stopHTTP, err := s.web.start(ctx, s.cfg.HTTPAddr)
	if err != nil {
		return err
	}
	defer stopHTTP()
	if err := s.connect(); err != nil {
		return err
	}
	defer s.closeNATS()

	s.js, err = jetstream.New(s.nc)
	if err != nil {
		return fmt.Errorf("opening JetStream: %w", err)
	}

	cc := s.cfg.Consumer
	lease, err := consumer.AcquireLease(ctx, s.js, consumer.LeaseConfig{
		Key:      streamName(cc),
		Holder:   s.cfg.Instance,
		TTL:      s.cfg.LeaseTTL,
		Replicas: cc.Replicas,
	}, func(holder string) {
		s.status.Store(StatusStandby)
		s.log.Info().Str("active", holder).Msg("another instance is active; waiting as standby")
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if rerr := lease.Release(rctx); rerr != nil {
			s.log.Warn().Err(rerr).Msg("releasing the active lease failed")
		}
	}()
	s.log.Info().Str("instance", s.cfg.Instance).Msg("active lease taken")

	if err := consumer.Provision(ctx, s.js, cc); err != nil {
		return err
	}
	s.log.Info().Str("stream", streamName(cc)).Bool("bind_only", cc.BindOnly).
		Str("consumers", durablePrefix(cc)+"<category>").Msg("stream and consumers in place")

	if err := s.startAudit(ctx); err != nil {
		return err
	}
	defer s.stopAudit()

	// Managed subscriptions live in memory: on a clean stop each one
	// ends with the "shutdown" signal (this defer runs after the request
	// service and the pipeline stopped, before NATS is drained), and
	// clients subscribe again.
	sc := s.cfg.Subscriptions
	sc.Publisher, sc.Logger = s.pub, s.log
	s.subs, err = subscribe.New(sc)
	if err != nil {
		return err
	}
	defer s.subs.Close()

	regCfg := s.cfg.State
	regCfg.Applied = s.applied
	regCfg.OnPanic = func(tenant string, seq uint64, v any) {
		s.log.Error().Str("tenant", tenant).Uint64("stream_seq", seq).
			Str("panic", fmt.Sprint(v)).Msg("recovered panic in tenant actor")
	}
	s.registry, err = state.NewRegistry(regCfg)
	if err != nil {
		return err
	}
	defer s.registry.Close()

	s.pipeline, err = consumer.New(consumer.Options{
		Config:   cc,
		Conn:     s.nc,
		JS:       s.js,
		Registry: s.registry,
		Logger:   s.log,
		OnRejected: func(r consumer.Rejected) {
			tenant := r.TenantToken
			if !event.ValidName(tenant) {
				tenant = "_invalid"
			}
			s.auditW.Record(audit.RejectionEntry(tenant, r.Rejection.Reason.String(), r.Rejection.Detail, r.Body, r.StreamSeq))
		},
	})
	if err != nil {
		return err
	}

	s.api, err = api.New(api.Config{
		Conn:          s.nc,
		Registry:      s.registry,
		Pipeline:      s.pipeline,
		Verifier:      verifier,
		Tenant:        s.cfg.State.Tenant,
		Audit:         s.auditW,
		AuditReader:   s.auditReader,
		Tally:         s.tally,
		AuthFailures:  audit.NewAuthFailureLimiter(audit.LimiterConfig{}),
		Received:      s.rates.PerMinute,
		Subscriptions: s.subs,
		Status:        s.Status,
		Version:       s.cfg.Version,
		Started:       s.started,
		RateLimit:     s.cfg.RateLimit,
		Logger:        s.log,
	})
	if err != nil {
		return err
	}
	if err := s.api.Start(); err != nil {
		return err
	}
	defer func() {
		if err := s.api.Stop(); err != nil {
			s.log.Warn().Err(err).Msg("stopping the request service")
		}
	}()
	s.log.Info().Msg("request service \"monitor\" registered: monitor.query.<tenant>, monitor.stats.<tenant>, monitor.audit.<tenant>, monitor.subscribe.<tenant>, monitor.unsubscribe.<tenant>, monitor.health")

	s.status.Store(StatusOK)
	s.readyOnce.Do(func() { close(s.ready) })

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	leaseErr := make(chan error, 1)
	go func() {
		leaseErr <- lease.Keep(runCtx)
	}()

	go s.logRebuild(runCtx)
	perr := s.pipeline.Run(runCtx)
	cancel()
	if lerr := <-leaseErr; errors.Is(lerr, consumer.ErrLeaseLost) {
		return lerr
	}
	if perr != nil {
		return perr
	}
	s.log.Info().Msg("pipeline drained")
	return nil
}

// applied runs on a tenant actor after each live event: duplicates are
// only counted; everything else is republished.
func (s *Service) applied(ev *event.Event, meta event.Meta, out state.Outcome) {
	s.web.metrics.Applied(out)
	if out.Duplicate {
		return
	}
	if err := s.pub.PublishMsg(consumer.EventMsg(ev, meta)); err != nil {
		s.log.Debug().Err(err).Uint64("stream_seq", meta.StreamSeq).Msg("republish failed")
	}
	s.subs.Offer(ev, meta)
	s.rates.Add(ev.TenantID, meta.Received)
	s.auditW.Record(audit.Entry{
		Type:      audit.TypeEventReceived,
		Time:      meta.Received,
		TenantID:  ev.TenantID,
		Category:  ev.Category.String(),
		EventID:   ev.ID,
		StreamSeq: meta.StreamSeq,
	})
}

// startAudit provisions the audit streams, rebuilds the statistics'
// counters from the trail and starts the writer.
func (s *Service) startAudit(ctx context.Context) error {
	ac := s.cfg.Audit
	if ac.Replicas == 0 {
		ac.Replicas = s.cfg.Consumer.Replicas
	}
	if err := audit.Provision(ctx, s.js, ac); err != nil {
		return err
	}
	s.tally = audit.NewTally(audit.TallyConfig{})
	if err := s.tally.Rebuild(ctx, s.js, ac); err != nil {
		return fmt.Errorf("rebuilding audit counters: %w", err)
	}
	var err error
	if s.auditReader, err = audit.NewReader(s.js, ac); err != nil {
		return err
	}

	// The writer publishes on a connection of its own, with the main
	// connection's options, so that its batches never queue behind the
	// consumers' pulls and acks (or they behind it).
	opts := s.nc.Opts
	opts.Name = "monitor audit " + s.cfg.Instance
	anc, err := opts.Connect()
	if err != nil {
		return fmt.Errorf("connecting the audit writer to NATS: %w", err)
	}
	ajs, err := jetstream.New(anc)
	if err == nil {
		s.auditW, err = audit.NewWriter(ajs, audit.WriterConfig{Tally: s.tally, Logger: s.log})
	}
	if err == nil {
		err = s.auditW.Start()
	}
	if err != nil {
		anc.Close()
		return err
	}
	s.auditNC = anc
	return nil
}

// stopAudit flushes what the writer still holds.
func (s *Service) stopAudit() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.auditW.Close(ctx); err != nil {
		st := s.auditW.Stats()
		s.log.Error().Err(err).Uint64("failed", st.Failed).Uint64("dropped", st.Dropped).Msg("audit trail not fully flushed")
	}
	// Close has settled every publish: nothing is left to drain.
	s.auditNC.Close()
}

// logRebuild reports the rebuild's progress every few seconds until done.
func (s *Service) logRebuild(ctx context.Context) {
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		p := s.pipeline.Progress()
		if p.Done {
			return
		}
		s.log.Info().Uint64("applied", p.Applied).Uint64("target", p.Target).Msg("rebuilding state")
	}
}

func (s *Service) connect() error {
	opts := []nats.Option{
		nats.Name("monitor " + s.cfg.Instance),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				s.log.Warn().Err(err).Msg("disconnected from NATS")
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			s.log.Info().Str("url", nc.ConnectedUrlRedacted()).Msg("reconnected to NATS")
		}),
	}
	url := s.cfg.NATSURL
	if url == "" {
		ec := s.cfg.Embedded
		if ec.StoreDir == "" {
			ec.StoreDir = filepath.Join(s.cfg.DataDir, "jetstream")
		}
		ns, err := StartEmbedded(ec)
		if err != nil {
			return err
		}
		s.ns = ns
		url = ns.ClientURL()
		opts = append(opts, nats.InProcessServer(ns))
		s.log.Info().Str("url", url).Str("store", ec.StoreDir).Msg("embedded NATS server with JetStream started")
	} else if s.cfg.NATSCreds != "" {
		opts = append(opts, nats.UserCredentials(s.cfg.NATSCreds))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		if s.ns != nil {
			s.ns.Shutdown()
		}
		return fmt.Errorf("connecting to NATS at %s: %w", url, err)
	}
	// Republishing and subscription delivery, one publish per event from
	// many actors, get a connection of their own so that they do not
	// contend with the consumers' pulls and acks for one connection.
	pub, err := nats.Connect(url, append(opts, nats.Name("monitor publisher "+s.cfg.Instance))...)
	if err != nil {
		nc.Close()
		if s.ns != nil {
			s.ns.Shutdown()
		}
		return fmt.Errorf("connecting to NATS at %s: %w", url, err)
	}
	s.nc, s.pub = nc, pub
	s.log.Info().Str("url", nc.ConnectedUrlRedacted()).Msg("connected to NATS")
	return nil
}

func (s *Service) closeNATS() {
	for _, nc := range []*nats.Conn{s.pub, s.nc} {
		if nc == nil {
			continue
		}
		if err := nc.Drain(); err != nil {
			nc.Close()
		}
		for i := 0; i < 50 && !nc.IsClosed(); i++ {
			time.Sleep(20 * time.Millisecond)
		}
	}
	if s.ns != nil {
		s.ns.Shutdown()
		s.ns.WaitForShutdown()
	}
}

// EmbeddedServer returns the embedded NATS server, nil with an external one.
func (s *Service) EmbeddedServer() *server.Server { return s.ns }

// Uptime returns how long the service has run.
func (s *Service) Uptime() time.Duration { return time.Since(s.started) }

func streamName(c consumer.Config) string {
	if c.Stream == "" {
		return consumer.DefaultStream
	}
	return c.Stream
}

func durablePrefix(c consumer.Config) string {
	if c.DurablePrefix == "" {
		return consumer.DefaultDurablePrefix
	}
	return c.DurablePrefix
}

// Handle mounts h on the HTTP endpoints' mux beside /healthz, /readyz
// and /metrics (http.ServeMux patterns), before or while Run serves.
func (s *Service) Handle(pattern string, h http.Handler) { s.web.handle(pattern, h) }

// Metrics returns the service's Prometheus series.
func (s *Service) Metrics() *telemetry.Metrics { return s.web.metrics }
