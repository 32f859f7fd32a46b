// Package api serves the monitor's request/reply endpoints as one NATS
// micro service named "monitor": queries, statistics, audit export and
// health (subscriptions live in their own files). Every request but
// health carries a bearer token; checks run in the order of api.md's
// error table and the first failure answers with its code, rule and
// reason.
//
// The package also holds the wire types (Query, Result, ErrorBody, ...)
// that the Go client shares.
//
// # Concurrency
//
// A Server is safe for concurrent use. Requests are handled on a bounded
// set of goroutines owned by the server; Stop waits for them.
package api
