package dashboard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/opsmonitor/monitor/pkg/client"
)

// minUpdateGap is the least time between two update signals of one
// feed: a burst of events becomes one signal, and one query, per gap.
const minUpdateGap = 250 * time.Millisecond

// Feed modes, sent in the "mode" event.
const (
	modeSubscription = "subscription"
	modePoll         = "poll"
)

// feed streams update signals for a scope as text/event-stream. It
// checks the token and scope with a probe query first, so that a refusal
// answers with its HTTP status before the stream starts. Events:
//
//	mode    {"mode": "subscription"|"poll", "reason": "..."}
//	update  {"at": "<RFC 3339>"}: the scope's data changed; query again
//	ping    {"at": ...}: the feed is alive
//	error   {"code", "rule", "reason"}: the monitor refused; the feed ends
func (h *Handler) feed(w http.ResponseWriter, r *http.Request) {
	c, _, ok := h.caller(w, r)
	if !ok {
		return
	}
	scope := scopeParams(r)
	if !checkScope(w, scope) {
		return
	}
	last, err := h.fingerprint(r.Context(), c, scope)
	if err != nil {
		h.writeRequestError(w, r, err)
		return
	}

	h.feeds.Add(1)
	defer h.feeds.Done()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	go func() {
		select {
		case <-h.closed:
			cancel()
		case <-ctx.Done():
		}
	}()

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	s := &sse{w: w, rc: http.NewResponseController(w)}

	// The subscription goroutine is owned by this request: cancel ends
	// it and the deferred receive waits for it.
	signals := make(chan struct{}, 1) // full means a signal is pending
	subDone := make(chan error, 1)
	subCtx, stopSub := context.WithCancel(ctx)
	go func() {
		subDone <- c.Subscribe(subCtx, client.SubscribeRequest{
			Scope:        scope,
			LeaseSeconds: h.opts.LeaseSeconds,
		}, func(*nats.Msg) {
			select {
			case signals <- struct{}{}:
			default:
			}
		})
	}()
	subRunning := true
	defer func() {
		stopSub()
		if subRunning {
			<-subDone
		}
	}()
	if s.send("mode", map[string]string{"mode": modeSubscription}) != nil {
		return
	}

	heartbeat := time.NewTicker(h.opts.Heartbeat)
	defer heartbeat.Stop()
	var poll <-chan time.Time // nil until the subscription ends
	for {
		var err error
		select {
		case <-ctx.Done():
			return
		case <-heartbeat.C:
			err = s.send("ping", stamp())
		case <-signals:
			err = s.send("update", stamp())
			if err == nil && !sleep(ctx, minUpdateGap) {
				return
			}
		case serr := <-subDone:
			subRunning = false
			if ctx.Err() != nil {
				return
			}
			t := time.NewTicker(h.opts.PollInterval)
			defer t.Stop()
			poll = t.C
			err = s.send("mode", map[string]string{"mode": modePoll, "reason": subscribeReason(serr)})
		case <-poll:
			fp, perr := h.fingerprint(ctx, c, scope)
			var ae *client.Error
			switch {
			case perr == nil && fp != last:
				last = fp
				err = s.send("update", stamp())
			case errors.As(perr, &ae) && (ae.Code == 401 || ae.Code == 403):
				_ = s.send("error", map[string]any{"code": ae.Code, "rule": ae.Rule, "reason": ae.Reason})
				return
			}
		}
		if err != nil {
			return // the page went away
		}
	}
}

// fingerprint is what changes when an event for scope is applied: the
// scope's event count and its newest event.
func (h *Handler) fingerprint(ctx context.Context, c *client.Client, scope client.Scope) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	q := probe(scope)
	q.RecentEvents = client.Int(1)
	res, err := c.Query(ctx, q)
	if err != nil {
		return "", err
	}
	ids := slices.Clone(res.References.EventIDs)
	return fmt.Sprint(res.Summary.EventsProcessed, ids), nil
}

// subscribeReason says why a feed's subscription ended, without
// anything of the caller's token.
func subscribeReason(err error) string {
	var ae *client.Error
	var ee *client.EndError
	switch {
	case err == nil:
		return "subscription ended"
	case errors.As(err, &ee):
		return "subscription ended: " + ee.Reason
	case errors.As(err, &ae):
		return fmt.Sprintf("subscription refused: %d %s", ae.Code, ae.Rule)
	}
	return "subscription failed"
}

func stamp() map[string]string {
	return map[string]string{"at": time.Now().UTC().Format(time.RFC3339Nano)}
}

// sleep waits d or until ctx ends; false when ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// sse writes server-sent events and flushes each one.
type sse struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

func (s *sse) send(event string, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(s.w, "event: %s\ndata: %s\n\n", event, b); err != nil {
		return err
	}
	return s.rc.Flush()
}
