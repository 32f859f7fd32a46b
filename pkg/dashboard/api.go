package dashboard

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/opsmonitor/monitor/pkg/api"
	"github.com/opsmonitor/monitor/pkg/client"
	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/metrics"
)

// maxBody bounds a request body, as the monitor bounds its own.
const maxBody = 64 << 10

// requestTimeout bounds each request to the monitor.
const requestTimeout = 10 * time.Second

// sessionDoc answers /api/session once the monitor accepted the token.
type sessionDoc struct {
	Tenant      string   `json:"tenant"`
	User        string   `json:"user"`
	Permissions []string `json:"permissions"`
	Links       []link   `json:"links"`
	Version     string   `json:"version,omitempty"`
}

// healthDoc answers /api/health: the tenant's stream health, which the
// token must be allowed to read, and the monitor's consumer backlog.
type healthDoc struct {
	ComputedAt   time.Time            `json:"computedAt"`
	StreamHealth metrics.StreamHealth `json:"streamHealth"`
	Status       string               `json:"status"`
	Version      string               `json:"version"`
	Rebuild      api.RebuildProgress  `json:"rebuild"`
	Consumers    []api.ConsumerHealth `json:"consumers"`
}

// probe is the cheapest query that makes the monitor verify a token for
// a scope: one unrestricted metric, no events, no timers.
func probe(scope client.Scope) client.Query {
	return client.Query{
		QueryID:      "dashboard-probe",
		Scope:        scope,
		Categories:   []string{"active-tasks"},
		RecentEvents: client.Int(0),
		SLATimers:    client.Int(0),
	}
}

// session checks the token with a probe of the token's own tenant and
// answers who the caller is and which consoles the page links to.
func (h *Handler) session(w http.ResponseWriter, r *http.Request) {
	c, cl, ok := h.caller(w, r)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
	defer cancel()
	if _, err := c.Query(ctx, probe(client.Scope{TenantID: cl.Tenant})); err != nil {
		h.writeRequestError(w, r, err)
		return
	}
	perms := cl.Permissions
	if perms == nil {
		perms = []string{}
	}
	writeJSON(w, http.StatusOK, sessionDoc{
		Tenant:      cl.Tenant,
		User:        cl.Subject,
		Permissions: perms,
		Links:       h.links,
		Version:     h.opts.Version,
	})
}

// query forwards a query (pkg/client.Query as JSON) and answers the
// monitor's result or its refusal.
func (h *Handler) query(w http.ResponseWriter, r *http.Request) {
	c, _, ok := h.caller(w, r)
	if !ok {
		return
	}
	var q client.Query
	if !decodeBody(w, r, &q) || !checkScope(w, q.Scope) {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
	defer cancel()
	res, err := c.Query(ctx, q)
	if err != nil {
		h.writeRequestError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// stats forwards {"scope": {...}} to monitor.stats.<tenant>.
func (h *Handler) stats(w http.ResponseWriter, r *http.Request) {
	c, _, ok := h.caller(w, r)
	if !ok {
		return
	}
	var body struct {
		Scope client.Scope `json:"scope"`
	}
	if !decodeBody(w, r, &body) || !checkScope(w, body.Scope) {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
	defer cancel()
	st, err := c.Stats(ctx, body.Scope)
	if err != nil {
		h.writeRequestError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// health answers the scope's stream health (a probe query, so the token
// and the policy decide) with the monitor's health document beside it.
func (h *Handler) health(w http.ResponseWriter, r *http.Request) {
	c, _, ok := h.caller(w, r)
	if !ok {
		return
	}
	scope := scopeParams(r)
	if !checkScope(w, scope) {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
	defer cancel()
	res, err := c.Query(ctx, probe(scope))
	if err != nil {
		h.writeRequestError(w, r, err)
		return
	}
	hl, err := c.Health(ctx)
	if err != nil {
		h.writeRequestError(w, r, err)
		return
	}
	doc := healthDoc{
		ComputedAt: res.ComputedAt,
		Status:     hl.Status,
		Version:    hl.Version,
		Rebuild:    hl.Rebuild,
		Consumers:  hl.Consumers,
	}
	if res.StreamState != nil {
		doc.StreamHealth = res.StreamState.StreamHealth
	}
	if doc.Consumers == nil {
		doc.Consumers = []api.ConsumerHealth{}
	}
	writeJSON(w, http.StatusOK, doc)
}

// scopeParams reads a scope from the URL's tenant, facility and
// federation parameters.
func scopeParams(r *http.Request) client.Scope {
	q := r.URL.Query()
	return client.Scope{
		TenantID:     q.Get("tenant"),
		FacilityID:   q.Get("facility"),
		FederationID: q.Get("federation"),
	}
}

// checkScope answers 400 when the scope's tenant cannot name a subject.
func checkScope(w http.ResponseWriter, s client.Scope) bool {
	if !event.ValidName(s.TenantID) {
		writeError(w, http.StatusBadRequest, "validation",
			"scope.tenantId must be 1-64 characters of A-Z a-z 0-9 _ -")
		return false
	}
	return true
}

// decodeBody decodes r's JSON body into v, answering 413 or 400 when it
// is too large or malformed.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "size-limit", "body over 64 KiB")
			return false
		}
		writeError(w, http.StatusBadRequest, "validation", "malformed JSON body: "+err.Error())
		return false
	}
	return true
}
