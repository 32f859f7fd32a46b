package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rs/zerolog"

	"github.com/opsmonitor/monitor/pkg/audit"
	"github.com/opsmonitor/monitor/pkg/consumer"
	"github.com/opsmonitor/monitor/pkg/dashboard"
	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/monitor"
	"github.com/opsmonitor/monitor/pkg/state"
	"github.com/opsmonitor/monitor/pkg/subscribe"
	"github.com/opsmonitor/monitor/pkg/telemetry"
)

// serveFlags registers every flag of serve and returns a function that
// builds the configuration once they are parsed.
func serveFlags(fs *flagSet) func() (monitor.Config, error) {
	var (
		natsURL   = fs.String("nats-url", "", "NATS server or cluster URL; empty starts an embedded server")
		natsCreds = fs.String("nats-creds", "", "NATS credentials file for --nats-url")
		listen    = fs.String("embedded-listen", "127.0.0.1:4222", "client address of the embedded NATS server")
		dataDir   = fs.String("data-dir", "./data", "directory for the embedded store and the dev key")
		syncInt   = fs.Duration("embedded-sync-interval", 0, "embedded JetStream fsync interval (0: server default, 2m)")
		syncAll   = fs.Bool("embedded-sync-always", false, "embedded JetStream fsyncs every write (slower, survives an OS crash)")
		httpAddr  = fs.String("http-addr", "127.0.0.1:8080", "address for /healthz, /readyz, /metrics and the dashboard (\"off\" to disable)")
		authKeys  = fs.String("auth-keys", "", "PEM file of trusted token public keys (Ed25519, P-256, RSA>=2048)")
		devAuth   = fs.Bool("dev-auth", false, "with --nats-url and no --auth-keys, trust the data directory's dev key")
		issuer    = fs.String("auth-issuer", "", "required token iss, when set")
		audience  = fs.String("auth-audience", "", "required token aud, when set")
		rate      = fs.Float64("rate-limit", 20, "requests per second per (tenant, user); bursts of twice that")

		prefix      = fs.String("subject-prefix", consumer.DefaultPrefix, "ingest subject prefix")
		stream      = fs.String("stream", consumer.DefaultStream, "ingest stream name")
		bindOnly    = fs.Bool("bind-only", false, "use the existing ingest stream as it is; change nothing")
		replicas    = fs.Int("replicas", 1, "replicas of the streams the monitor provisions")
		maxAge      = fs.Duration("stream-max-age", 0, "ingest stream MaxAge (0: no age limit)")
		maxBytes    = fs.Int64("stream-max-bytes", 0, "ingest stream MaxBytes (0: no limit)")
		dupWindow   = fs.Duration("duplicate-window", consumer.DefaultDuplicateWindow, "ingest stream duplicate window")
		rejectedAge = fs.Duration("rejected-max-age", consumer.DefaultRejectedMaxAge, "how long MONITOR_REJECTED keeps copies")
		batch       = fs.Int("batch", consumer.DefaultBatch, "messages per cumulative ack")
		maxAckPend  = fs.Int("max-ack-pending", consumer.DefaultMaxAckPending, "consumer MaxAckPending")
		ackWait     = fs.Duration("ack-wait", consumer.DefaultAckWait, "consumer AckWait")
		maxEvent    = fs.Int("max-event-bytes", 64<<10, "largest event accepted")
		future      = fs.Duration("future-tolerance", 5*time.Minute, "how far an event may be ahead of its stored time")

		maxTenants = fs.Int("max-tenants", state.DefaultMaxTenants, "tenant cap; events beyond it are rejected (tenant-limit)")
		dedup      = fs.Int("dedup-window", state.DefaultDedupWindow, "event ids remembered per tenant and category")
		closedKeep = fs.Duration("closed-retention", state.DefaultClosedRetention, "how long closed entities are remembered (event time)")
		recent     = fs.Int("recent-events", state.DefaultRecentEvents, "recent-events buffer per tenant")
		slaCrit    = fs.Float64("sla-hours-critical", 4, "default SLA threshold of critical entities, hours")
		slaHigh    = fs.Float64("sla-hours-high", 8, "default SLA threshold of high entities, hours")
		slaMed     = fs.Float64("sla-hours-medium", 24, "default SLA threshold of medium entities, hours")
		slaLow     = fs.Float64("sla-hours-low", 72, "default SLA threshold of low entities, hours")
		auditAge   = fs.Duration("audit-max-age", 30*24*time.Hour, "how long MONITOR_AUDIT keeps the security trail")
		auditEvAge = fs.Duration("audit-events-max-age", 24*time.Hour, "how long MONITOR_AUDIT_EVENTS keeps event-received entries")
		tenantFigs = fs.Bool("metrics-tenant-figures", false, "export per-tenant figures on /metrics, which has no per-tenant access control")
		tenantMax  = fs.Int("metrics-max-tenants", telemetry.DefaultMaxTenantSeries, "most tenants given per-tenant series on /metrics")
		maxSubs    = fs.Int("max-subscriptions", 1000, "live managed subscriptions per tenant")
		leaseTTL   = fs.Duration("lease-ttl", consumer.DefaultLeaseTTL, "how long a dead instance blocks a standby")
		instance   = fs.String("instance", "", "instance name in the active lease (default host:pid)")
	)
	consoles := make(map[string]*string, len(dashboard.Consoles))
	for _, c := range dashboard.Consoles {
		consoles[c.Name] = fs.String("console-url-"+c.Name, "", "URL of the "+c.Label+" console, linked from the dashboard (empty: hidden)")
	}
	return func() (monitor.Config, error) {
		cfg := monitor.Config{
			NATSURL:   *natsURL,
			NATSCreds: *natsCreds,
			DataDir:   *dataDir,
			HTTPAddr:  *httpAddr,
			Metrics:   telemetry.Options{TenantFigures: *tenantFigs, MaxTenantSeries: *tenantMax},
			Embedded: monitor.EmbeddedConfig{
				Listen:       *listen,
				SyncInterval: *syncInt,
				SyncAlways:   *syncAll,
			},
			Auth: monitor.AuthConfig{
				KeysFile: *authKeys,
				DevAuth:  *devAuth,
				Issuer:   *issuer,
				Audience: *audience,
			},
			RateLimit: *rate,
			Consumer: consumer.Config{
				Prefix:          *prefix,
				Stream:          *stream,
				BindOnly:        *bindOnly,
				Replicas:        *replicas,
				MaxAge:          *maxAge,
				MaxBytes:        *maxBytes,
				DuplicateWindow: *dupWindow,
				RejectedMaxAge:  *rejectedAge,
				Batch:           *batch,
				MaxAckPending:   *maxAckPend,
				AckWait:         *ackWait,
				Limits:          consumer.Limits{MaxEventBytes: *maxEvent, FutureTolerance: *future},
			},
			State: state.RegistryConfig{
				MaxTenants: *maxTenants,
				Tenant: state.Config{
					DedupWindow:     *dedup,
					ClosedRetention: *closedKeep,
					RecentEvents:    *recent,
					FutureTolerance: *future,
					SLAHours:        [event.NumSeverities]float64{*slaCrit, *slaHigh, *slaMed, *slaLow},
				},
			},
			Audit:         audit.Config{MaxAge: *auditAge, EventsMaxAge: *auditEvAge},
			Subscriptions: subscribe.Config{MaxPerTenant: *maxSubs},
			LeaseTTL:      *leaseTTL,
			Instance:      *instance,
			Version:       version,
		}
		cfg.ConsoleURLs = map[string]string{}
		for name, u := range consoles {
			if *u != "" {
				cfg.ConsoleURLs[name] = *u
			}
		}
		return cfg, cfg.Validate()
	}
}

func runServe(ctx context.Context, args []string) error {
	fs := newFlagSet("serve")
	build := serveFlags(fs)
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	logFormat := fs.String("log-format", "console", "json or console")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log, err := newLogger(os.Stderr, *logLevel, *logFormat)
	if err != nil {
		return err
	}
	cfg, err := build()
	if err != nil {
		return err
	}

	svc, err := monitor.New(cfg, log)
	if err != nil {
		return err
	}
	dash, err := dashboard.New(dashboard.Options{
		Conn:    dashboard.ConnWhenReady(svc.Ready(), svc.Conn),
		Links:   cfg.ConsoleURLs,
		Version: version,
		Logger:  &log,
	})
	if err != nil {
		return err
	}
	svc.Handle("GET /api/feed", dash)
	svc.Handle("/", dash)
	go func() {
		<-ctx.Done()
		dash.Close() // end the live feeds before the HTTP server drains
	}()

	log.Info().Str("version", version).Msg("monitor starting")
	if err := svc.Run(ctx); err != nil {
		log.Error().Err(err).Msg("monitor stopped with an error")
		return err
	}
	log.Info().Msg("monitor stopped")
	return nil
}

func newLogger(w io.Writer, level, format string) (zerolog.Logger, error) {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil {
		return zerolog.Logger{}, fmt.Errorf("--log-level: %w", err)
	}
	switch format {
	case "json":
	case "console":
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.RFC3339, NoColor: !isTerminal(w)}
	default:
		return zerolog.Logger{}, fmt.Errorf("--log-format must be json or console, not %q", format)
	}
	return zerolog.New(w).Level(lvl).With().Timestamp().Logger(), nil
}

// isTerminal reports whether w is a character device, where colours help.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
