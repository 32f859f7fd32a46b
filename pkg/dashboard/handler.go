package dashboard

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"sync"

	"github.com/nats-io/nats.go"

	"github.com/opsmonitor/monitor/pkg/client"
)

//go:embed assets
var assets embed.FS

// contentSecurity lets the page load only its own script, style sheet
// and API: no inline script, no other origin, no framing.
const contentSecurity = "default-src 'none'; script-src 'self'; " +
	"style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Handler serves the page and its API. Mount it at the root of a mux
// (the page calls its API by relative URLs, so http.StripPrefix under a
// path works too).
type Handler struct {
	opts   Options
	links  []link
	mux    *http.ServeMux
	static http.Handler

	// closed ends every open feed when Close is called.
	closed    chan struct{}
	closeOnce sync.Once
	// feeds counts the open feeds, for Close to wait on.
	feeds sync.WaitGroup
}

// New returns the dashboard's handler. It fails when opts does not
// validate (see Options.Validate).
func New(opts Options) (*Handler, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	sub, err := fs.Sub(assets, "assets")
	if err != nil {
		return nil, err // the embed is fixed at build time
	}
	h := &Handler{
		opts:   opts.withDefaults(),
		links:  opts.links(),
		mux:    http.NewServeMux(),
		static: http.StripPrefix("/assets/", http.FileServerFS(sub)),
		closed: make(chan struct{}),
	}
	h.mux.HandleFunc("GET /{$}", h.page)
	h.mux.HandleFunc("GET /index.html", h.page)
	h.mux.Handle("GET /assets/", h.static)
	h.mux.HandleFunc("POST /api/session", h.session)
	h.mux.HandleFunc("POST /api/query", h.query)
	h.mux.HandleFunc("POST /api/stats", h.stats)
	h.mux.HandleFunc("GET /api/health", h.health)
	h.mux.HandleFunc("GET /api/feed", h.feed)
	h.mux.HandleFunc("/api/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, "not-found", "no such endpoint")
	})
	return h, nil
}

// ServeHTTP sets the security headers and routes r.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", contentSecurity)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Cache-Control", "no-store")
	if tokenInURL(r) {
		writeError(w, http.StatusBadRequest, "validation",
			"tokens go in the Authorization header, never in the URL")
		return
	}
	h.mux.ServeHTTP(w, r)
}

// Close ends every open feed and waits for them to return. The handler
// keeps answering other calls; a feed opened after Close ends at once.
func (h *Handler) Close() {
	h.closeOnce.Do(func() { close(h.closed) })
	h.feeds.Wait()
}

// page serves the single page.
func (h *Handler) page(w http.ResponseWriter, r *http.Request) {
	b, err := assets.ReadFile("assets/index.html")
	if err != nil {
		http.Error(w, "page missing", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(b)
}

// caller returns the client for r's token, or answers 401 (no or
// malformed token) or 503 (no NATS connection yet) and returns false.
func (h *Handler) caller(w http.ResponseWriter, r *http.Request) (*client.Client, claims, bool) {
	tok, ok := bearer(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="monitor"`)
		writeError(w, http.StatusUnauthorized, "authentication", "a bearer token is required")
		return nil, claims{}, false
	}
	cl, ok := peekClaims(tok)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="monitor", error="invalid_token"`)
		writeError(w, http.StatusUnauthorized, "authentication", "the token is not a valid JWT")
		return nil, claims{}, false
	}
	nc := h.opts.Conn()
	if nc == nil || !nc.IsConnected() {
		writeError(w, http.StatusServiceUnavailable, "unavailable", "the monitor is not connected to NATS yet")
		return nil, claims{}, false
	}
	return client.New(nc, tok), cl, true
}

// errorDoc is the body of every error answer, as the monitor's.
type errorDoc struct {
	Error struct {
		Code   int    `json:"code"`
		Rule   string `json:"rule"`
		Reason string `json:"reason"`
	} `json:"error"`
}

func writeError(w http.ResponseWriter, code int, rule, reason string) {
	var d errorDoc
	d.Error.Code, d.Error.Rule, d.Error.Reason = code, rule, reason
	writeJSON(w, code, d)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// writeRequestError answers the failure of a request to the monitor:
// the monitor's own refusal with its code, rule and reason; no
// responder or a closed connection as 503; a timeout as 504.
func (h *Handler) writeRequestError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *client.Error
	switch {
	case errors.As(err, &ae):
		code := ae.Code
		if code < 400 || code > 599 {
			code = http.StatusBadGateway
		}
		if code == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="monitor", error="invalid_token"`)
		}
		writeError(w, code, ae.Rule, ae.Reason)
	case errors.Is(err, nats.ErrNoResponders), errors.Is(err, nats.ErrConnectionClosed):
		writeError(w, http.StatusServiceUnavailable, "unavailable", "the monitor does not answer")
	case errors.Is(err, nats.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		writeError(w, http.StatusGatewayTimeout, "timeout", "the monitor did not answer in time")
	default:
		h.opts.Logger.Error().Err(err).Str("component", "dashboard").
			Str("path", r.URL.Path).Msg("request to the monitor failed")
		writeError(w, http.StatusBadGateway, "internal", "the request to the monitor failed")
	}
}
