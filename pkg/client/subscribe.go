package client

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nuid"

	"github.com/opsmonitor/monitor/pkg/api"
	"github.com/opsmonitor/monitor/pkg/subscribe"
)

// Subscription is the monitor's answer to a subscribe request.
type Subscription = api.Subscription

// SubscribeRequest is a managed subscription's filter and lease. Empty
// lists match everything. Categories are event categories.
type SubscribeRequest struct {
	Scope       Scope    `json:"scope"`
	Categories  []string `json:"categories,omitempty"`
	EventTypes  []string `json:"eventTypes,omitempty"`
	Severities  []string `json:"severities,omitempty"`
	OperatorIDs []string `json:"operatorIds,omitempty"`
	// DeliverSubject is where events go. Subscribe fills it when empty:
	// InboxPrefix plus a unique token, or the connection's NewInbox.
	DeliverSubject string `json:"deliverSubject,omitempty"`
	// LeaseSeconds is the lease, 1-3600; 0 means the monitor's 300.
	LeaseSeconds int `json:"leaseSeconds,omitempty"`
	// SubscriptionID renews the subscription it names.
	SubscriptionID string `json:"subscriptionId,omitempty"`

	// InboxPrefix is the subject prefix Subscribe makes DeliverSubject
	// under, such as "_INBOX_user-001" where each user may read only its
	// own prefix. Empty uses nc.NewInbox (which follows the connection's
	// nats.CustomInboxPrefix). Not sent.
	InboxPrefix string `json:"-"`
}

// ErrEnded is wrapped by the *EndError Subscribe returns when the
// monitor ends the subscription.
var ErrEnded = errors.New("subscription ended by the monitor")

// EndError says why the monitor ended a subscription: "expired",
// "cancelled" or "shutdown". errors.Is(err, ErrEnded) holds for it.
type EndError struct {
	Reason string
}

// Error names the reason.
func (e *EndError) Error() string { return fmt.Sprintf("%v: %s", ErrEnded, e.Reason) }

// Unwrap returns ErrEnded.
func (e *EndError) Unwrap() error { return ErrEnded }

// CreateSubscription asks monitor.subscribe.<tenant> once: a new
// subscription, or a renewal when req.SubscriptionID is set. A refusal
// is an *Error (400, 403, 404 for a renewal of an unknown or another
// user's subscription, 429 at the tenant's cap).
func (c *Client) CreateSubscription(ctx context.Context, req SubscribeRequest) (*Subscription, error) {
	var out Subscription
	if err := c.request(ctx, "monitor.subscribe."+req.Scope.TenantID, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Unsubscribe cancels subscription id of tenant; the monitor then sends
// the end signal "cancelled". A refusal is an *Error (404 for an unknown
// or another user's subscription).
func (c *Client) Unsubscribe(ctx context.Context, tenant, id string) error {
	var out api.Unsubscribed
	body := map[string]string{"subscriptionId": id}
	return c.request(ctx, "monitor.unsubscribe."+tenant, body, &out)
}

// subscribeBuffer bounds the messages received but not yet handled.
// When it is full NATS drops further messages for this subscription and
// reports a slow consumer on the connection's error handler.
const subscribeBuffer = 4096

// Subscribe watches a managed subscription until ctx ends. It
// subscribes to the delivery subject first, then creates the
// subscription, renews it in the background a third of the lease before
// it ends, and calls handler with each event message, in order, on the
// caller's goroutine (handler is never called after Subscribe returns).
//
// When ctx ends it cancels the subscription, waits briefly for the end
// signal so that every delivered event is handled, and returns nil.
// When the monitor ends the subscription it returns an *EndError: on
// "shutdown" the monitor stopped cleanly, and calling Subscribe again
// (once it answers) resumes watching; events applied in between are not
// replayed. A refused create is an *Error; a renewal refused with 404
// (the monitor restarted without a clean stop) returns that *Error.
func (c *Client) Subscribe(ctx context.Context, req SubscribeRequest, handler func(*nats.Msg)) error {
	if req.DeliverSubject == "" {
		if req.InboxPrefix != "" {
			req.DeliverSubject = req.InboxPrefix + "." + nuid.Next()
		} else {
			req.DeliverSubject = c.nc.NewInbox()
		}
	}
	req.SubscriptionID = ""
	msgs := make(chan *nats.Msg, subscribeBuffer)
	ns, err := c.nc.ChanSubscribe(req.DeliverSubject, msgs)
	if err != nil {
		return fmt.Errorf("subscribing to %s: %w", req.DeliverSubject, err)
	}
	defer func() { _ = ns.Unsubscribe() }()
	fctx, cancel := context.WithTimeout(ctx, DefaultTimeout)
	defer cancel()
	if err := c.nc.FlushWithContext(fctx); err != nil {
		return fmt.Errorf("subscribing to %s: %w", req.DeliverSubject, err)
	}

	sub, err := c.CreateSubscription(ctx, req)
	if err != nil {
		return err
	}
	req.SubscriptionID = sub.SubscriptionID

	renewCtx, stopRenew := context.WithCancel(ctx)
	renewErr := make(chan error, 1)
	go func() { renewErr <- c.keepRenewed(renewCtx, req, sub.ExpiresAt) }()
	defer func() {
		stopRenew()
		<-renewErr
	}()

	for {
		select {
		case m := <-msgs:
			if reason := m.Header.Get(subscribe.HeaderSubscriptionEnd); reason != "" {
				return &EndError{Reason: reason}
			}
			handler(m)
		case err := <-renewErr:
			renewErr <- nil // for the deferred wait
			return err
		case <-ctx.Done():
			stopRenew()
			return c.cancel(req, msgs, handler)
		}
	}
}

// cancel unsubscribes after ctx ended and hands the events still in
// flight to handler until the end signal, for at most DefaultTimeout.
func (c *Client) cancel(req SubscribeRequest, msgs <-chan *nats.Msg, handler func(*nats.Msg)) error {
	ctx, cancel := context.WithTimeout(context.Background(), DefaultTimeout)
	defer cancel()
	if err := c.Unsubscribe(ctx, req.Scope.TenantID, req.SubscriptionID); err != nil {
		return fmt.Errorf("cancelling subscription %s: %w", req.SubscriptionID, err)
	}
	for {
		select {
		case m := <-msgs:
			if m.Header.Get(subscribe.HeaderSubscriptionEnd) != "" {
				return nil
			}
			handler(m)
		case <-ctx.Done():
			return nil
		}
	}
}

// keepRenewed renews the subscription a third of the lease before it
// ends, until ctx ends (nil) or a renewal fails for good. A failed
// renewal is retried every second while the lease lasts.
func (c *Client) keepRenewed(ctx context.Context, req SubscribeRequest, expires time.Time) error {
	lease := time.Duration(req.LeaseSeconds) * time.Second
	if lease <= 0 {
		lease = api.DefaultLeaseSeconds * time.Second
	}
	timer := time.NewTimer(time.Until(expires) - lease/3)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		}
		sub, err := c.CreateSubscription(ctx, req)
		var apiErr *Error
		switch {
		case err == nil:
			expires = sub.ExpiresAt
			timer.Reset(time.Until(expires) - lease/3)
		case ctx.Err() != nil:
			return nil
		case errors.As(err, &apiErr) && apiErr.Code != 429 && apiErr.Code < 500:
			return fmt.Errorf("renewing subscription %s: %w", req.SubscriptionID, err)
		case time.Now().After(expires):
			return fmt.Errorf("renewing subscription %s before its lease ended: %w", req.SubscriptionID, err)
		default:
			timer.Reset(time.Second)
		}
	}
}
