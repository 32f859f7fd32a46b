package monitor

import (
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// EmbeddedConfig configures the NATS server the monitor starts when no
// external server is named.
type EmbeddedConfig struct {
	// Listen is the client address. Default "127.0.0.1:4222"; port -1
	// picks a free one.
	Listen string
	// StoreDir holds JetStream's files.
	StoreDir string
	// SyncInterval is JetStream's fsync interval; 0 keeps the server's
	// default (2 min). "always" durability is SyncAlways.
	SyncInterval time.Duration
	// SyncAlways makes JetStream fsync every write.
	SyncAlways bool
}

// StartEmbedded starts a NATS server with JetStream and waits until it
// accepts connections.
func StartEmbedded(cfg EmbeddedConfig) (*server.Server, error) {
	listen := cfg.Listen
	if listen == "" {
		listen = "127.0.0.1:4222"
	}
	host, portStr, err := net.SplitHostPort(listen)
	if err != nil {
		return nil, fmt.Errorf("embedded listen address %q: %w", listen, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, fmt.Errorf("embedded listen port %q: %w", portStr, err)
	}
	opts := &server.Options{
		ServerName:   "monitor-embedded",
		Host:         host,
		Port:         port,
		JetStream:    true,
		StoreDir:     filepath.Clean(cfg.StoreDir),
		SyncInterval: cfg.SyncInterval,
		SyncAlways:   cfg.SyncAlways,
		NoSigs:       true,
		MaxPayload:   1 << 20,
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("embedded NATS server: %w", err)
	}
	go s.Start()
	if !s.ReadyForConnections(30 * time.Second) {
		s.Shutdown()
		return nil, fmt.Errorf("embedded NATS server did not start on %s", listen)
	}
	return s, nil
}
