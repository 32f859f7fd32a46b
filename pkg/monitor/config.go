package monitor

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/opsmonitor/monitor/pkg/audit"
	"github.com/opsmonitor/monitor/pkg/consumer"
	"github.com/opsmonitor/monitor/pkg/state"
	"github.com/opsmonitor/monitor/pkg/subscribe"
	"github.com/opsmonitor/monitor/pkg/telemetry"
)

// Config is everything the service needs. The zero value runs an embedded
// server storing under ./data.
type Config struct {
	// NATSURL names an external server or cluster. Empty starts the
	// embedded server.
	NATSURL string
	// NATSCreds is a credentials file for NATSURL.
	NATSCreds string
	// Embedded configures the embedded server.
	Embedded EmbeddedConfig
	// DataDir holds the embedded store and the dev key. Default "./data".
	DataDir string
	// HTTPAddr serves /healthz, /readyz, /metrics and the dashboard.
	// Default "127.0.0.1:8080"; "off" disables it.
	HTTPAddr string
	// Metrics tunes /metrics; per-tenant figures are off by default.
	Metrics telemetry.Options
	// Prometheus is the registry /metrics serves. Nil means a new one
	// with the Go runtime and process collectors.
	Prometheus *prometheus.Registry

	// Consumer configures the ingest stream and its consumers.
	Consumer consumer.Config
	// Audit configures the audit trail's streams.
	Audit audit.Config
	// ConsoleURLs maps a console name (dashboard.Consoles) to the URL the
	// dashboard links to; names not set are hidden.
	ConsoleURLs map[string]string

	// Subscriptions configures managed subscriptions (the per-tenant cap);
	// the service sets the publisher and logger itself.
	Subscriptions subscribe.Config
	// State configures tenants and their state.
	State state.RegistryConfig
	// Auth says which token keys are trusted.
	Auth AuthConfig
	// RateLimit is the request rate allowed per (tenant, user), per
	// second, with bursts of twice that. Default 20; negative disables.
	RateLimit float64
	// Version is reported by health and the micro service.
	Version string

	// LeaseTTL is how long a dead instance's lease blocks a standby.
	LeaseTTL time.Duration
	// Instance names this instance in the lease; default host:pid.
	Instance string
}

// AuthConfig says where trusted token keys come from.
type AuthConfig struct {
	// KeysFile is a PEM file of trusted public keys.
	KeysFile string
	// DevAuth trusts the data directory's dev key with an external NATS
	// server; with the embedded server it is implied when KeysFile is
	// empty.
	DevAuth bool
	// Issuer and Audience, when set, are required token claims.
	Issuer, Audience string
}

// Validate reports the first setting out of range.
func (c Config) Validate() error {
	if err := c.Consumer.Validate(); err != nil {
		return err
	}
	if err := c.Audit.Validate(); err != nil {
		return err
	}
	if err := c.Metrics.Validate(); err != nil {
		return err
	}
	if err := c.State.Tenant.Validate(); err != nil {
		return err
	}
	if c.NATSURL != "" && c.Auth.KeysFile == "" && !c.Auth.DevAuth {
		return fmt.Errorf("with --nats-url, give --auth-keys (or --dev-auth for a trial)")
	}
	if c.LeaseTTL < 0 {
		return fmt.Errorf("lease TTL must not be negative")
	}
	return nil
}
