// Package dashboard serves the monitor's live web dashboard: a small
// page (plain HTML, CSS and JavaScript embedded in the binary, no build
// step, nothing fetched from elsewhere) and the JSON endpoints it calls.
//
// The dashboard holds no data and makes no decision of its own. Every
// call carries the user's bearer token in an Authorization header, and
// the backend forwards it in a NATS request made with pkg/client on the
// monitor's own connection, so that the monitor verifies the token,
// applies the policy and the visibility filter, and audits the request
// exactly as for any NATS client. A call without a token, or with one the
// monitor rejects, answers 401; a token is never read from a URL, never
// written to a log and never echoed in an answer.
//
// # Endpoints
//
//	GET  /                 the page
//	GET  /assets/...       its script and style sheet
//	POST /api/session      check a token; the caller's tenant, user and console links
//	POST /api/query        a query (pkg/client.Query) -> the result
//	POST /api/stats        {"scope": {...}} -> the statistics
//	GET  /api/health       ?tenant=&facility=&federation= -> stream and consumer health
//	GET  /api/feed         same parameters -> text/event-stream of update signals
//
// The feed watches a managed subscription made with the caller's token
// (so the visibility filter applies) and sends "update" when an event for
// the scope arrives; the page then queries again. When the subscription
// cannot be held, the feed falls back to querying on an interval and
// sends "update" when the result changed.
//
// # Usage
//
//	dash, err := dashboard.New(dashboard.Options{
//		Conn:  svc.Conn,
//		Links: map[string]string{"alert-center": "https://alerts.example"},
//	})
//	...
//	mux.Handle("/", dash) // beside /healthz, /readyz and /metrics
//	defer dash.Close()    // ends the open feeds
//
// # Concurrency
//
// A Handler is safe for concurrent use. Each feed runs on its request's
// goroutine plus one subscription goroutine that the request owns and
// waits for; Close ends them all.
package dashboard
