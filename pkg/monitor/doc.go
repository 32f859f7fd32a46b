// Package monitor assembles the service: it connects to NATS (or starts an
// embedded server), takes the active lease, provisions the streams, runs
// the event pipeline into the tenant actors, republishes accepted events,
// and serves the request/reply API and the HTTP endpoints.
//
// # Usage
//
//	svc, err := monitor.New(cfg, logger)
//	...
//	err = svc.Run(ctx) // returns after a clean drain once ctx ends
//
// # Concurrency
//
// A Service is run once. Its read methods (Status, Health) are safe for
// concurrent use while it runs.
package monitor
