// Package client asks the monitor over NATS request/reply: queries,
// statistics, health and the audit trail, with typed requests and
// results. Other services use it instead of hand-writing JSON.
//
// # Usage
//
//	c := client.New(nc, token)
//	res, err := c.Query(ctx, client.Query{Scope: client.Scope{TenantID: "tenant-alpha"}})
//	var apiErr *client.Error
//	if errors.As(err, &apiErr) && apiErr.Code == 403 { ... }
//
// # Concurrency
//
// A Client is safe for concurrent use.
package client
