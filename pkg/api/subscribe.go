package api

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/opsmonitor/monitor/pkg/event"
	"github.com/opsmonitor/monitor/pkg/policy"
	"github.com/opsmonitor/monitor/pkg/subscribe"
)

// Limits of a subscription request.
const (
	DefaultLeaseSeconds = 300
	MaxLeaseSeconds     = 3600
	maxSubjectLen       = 256
)

// SubscribeRequest is the body of monitor.subscribe.<tenant>: a new
// subscription, or with SubscriptionID set, the renewal of one.
type SubscribeRequest struct {
	Scope          policy.Scope `json:"scope"`
	Categories     []string     `json:"categories,omitempty"`
	EventTypes     []string     `json:"eventTypes,omitempty"`
	Severities     []string     `json:"severities,omitempty"`
	OperatorIDs    []string     `json:"operatorIds,omitempty"`
	DeliverSubject string       `json:"deliverSubject,omitempty"`
	LeaseSeconds   int          `json:"leaseSeconds,omitempty"`
	SubscriptionID string       `json:"subscriptionId,omitempty"`
}

// Subscription is the reply of monitor.subscribe.<tenant>.
type Subscription struct {
	SubscriptionID string    `json:"subscriptionId"`
	Subject        string    `json:"subject"`
	ExpiresAt      time.Time `json:"expiresAt"`
}

// Unsubscribed is the reply of monitor.unsubscribe.<tenant>.
type Unsubscribed struct {
	SubscriptionID string `json:"subscriptionId"`
	Cancelled      bool   `json:"cancelled"`
}

// subscribe answers monitor.subscribe.<tenant>: validation, policy rules
// 1-3 with the decision audited, then create or renew for the caller.
func (s *Server) subscribe(_ context.Context, r *request) reply {
	req, sreq, verr := decodeSubscribe(r.body, r.tenant)
	if verr != nil {
		return errReply(verr)
	}

	d := policy.EvaluateSubscription(r.caller, req.Scope, req.OperatorIDs)
	s.recordDecision(r, "subscribe", req.Scope.TenantID, d)
	if !d.Allowed {
		return errReply(forbidden(d.Rule, d.Reason))
	}
	sreq.Owner = owner(r.caller)
	sreq.Visibility = d.Visibility

	var info subscribe.Info
	var err error
	if req.SubscriptionID == "" {
		info, err = s.cfg.Subscriptions.Create(sreq)
	} else {
		info, err = s.cfg.Subscriptions.Renew(sreq.Owner, req.SubscriptionID, sreq)
	}
	if err != nil {
		return errReply(subscribeError(err, r.id))
	}
	return reply{body: Subscription{SubscriptionID: info.ID, Subject: info.Subject,
		ExpiresAt: info.ExpiresAt.UTC()}}
}

// unsubscribe answers monitor.unsubscribe.<tenant>: only the user who
// made the subscription may cancel it; anyone else gets 404.
func (s *Server) unsubscribe(_ context.Context, r *request) reply {
	f, err := decodeFields(r.body)
	if err != nil {
		return errReply(err)
	}
	id, err := f.str("subscriptionId", 64)
	if err != nil {
		return errReply(err)
	}
	if id == "" || !event.ValidName(id) {
		return errReply(badRequest("subscriptionId is required: 1-64 characters of A-Z a-z 0-9 _ -"))
	}
	if cerr := s.cfg.Subscriptions.Cancel(owner(r.caller), r.tenant, id); cerr != nil {
		return errReply(subscribeError(cerr, r.id))
	}
	return reply{body: Unsubscribed{SubscriptionID: id, Cancelled: true}}
}

func owner(c policy.Caller) subscribe.Owner {
	return subscribe.Owner{TenantID: c.TenantID, UserID: c.UserID}
}

// subscribeError maps the engine's errors to the API's.
func subscribeError(err error, id string) *Error {
	switch {
	case errors.Is(err, subscribe.ErrNotFound):
		return &Error{Code: 404, Rule: RuleNotFound,
			Reason: "no such subscription for this user"}
	case errors.Is(err, subscribe.ErrFilterChanged):
		return badRequest("a renewal must repeat the subscription's filter and deliverSubject")
	case errors.Is(err, subscribe.ErrLimit):
		return &Error{Code: 429, Rule: RuleSubscriptionLimit,
			Reason: "the tenant has its maximum of live subscriptions"}
	case errors.Is(err, subscribe.ErrClosed):
		return &Error{Code: 503, Rule: RuleInternal, Reason: "the monitor is shutting down"}
	}
	return internal(id)
}

// decodeSubscribe validates a subscription request against the
// subject's tenant and returns it with the engine's form of it.
func decodeSubscribe(body []byte, subjectTenant string) (SubscribeRequest, subscribe.Request, *Error) {
	var q SubscribeRequest
	var sr subscribe.Request
	f, err := decodeFields(body)
	if err != nil {
		return q, sr, err
	}
	sc, err := f.scope(subjectTenant)
	if err != nil {
		return q, sr, err
	}
	q.Scope = policy.Scope(sc)
	sr.Filter.Scope = q.Scope

	if q.Categories, sr.Filter.Categories, err = eventCategories(f); err != nil {
		return q, sr, err
	}
	if q.EventTypes, sr.Filter.EventTypes, err = eventTypes(f, sr.Filter.Categories); err != nil {
		return q, sr, err
	}
	if q.Severities, err = f.list("severities", event.NumSeverities, isSeverity, "a severity"); err != nil {
		return q, sr, err
	}
	for _, name := range q.Severities {
		sv, _ := event.ParseSeverity(name)
		sr.Filter.Severities = append(sr.Filter.Severities, sv)
	}
	if q.OperatorIDs, err = f.list("operatorIds", MaxOperatorIDs, operatorID, "an operator id"); err != nil {
		return q, sr, err
	}
	sr.Filter.OperatorIDs = q.OperatorIDs

	if q.DeliverSubject, err = f.str("deliverSubject", maxSubjectLen); err != nil {
		return q, sr, err
	}
	if q.DeliverSubject != "" {
		if reason := checkDeliverSubject(q.DeliverSubject); reason != "" {
			return q, sr, badRequest("deliverSubject %s", reason)
		}
	}
	sr.Subject = q.DeliverSubject

	lease, ok, err := f.integer("leaseSeconds", 1, MaxLeaseSeconds)
	if err != nil {
		return q, sr, err
	}
	if !ok {
		lease = DefaultLeaseSeconds
	}
	q.LeaseSeconds = lease
	sr.Lease = time.Duration(lease) * time.Second

	if q.SubscriptionID, err = f.str("subscriptionId", 64); err != nil {
		return q, sr, err
	}
	if q.SubscriptionID != "" && !event.ValidName(q.SubscriptionID) {
		return q, sr, badRequest("subscriptionId must be 1-64 characters of A-Z a-z 0-9 _ -")
	}
	return q, sr, nil
}

func isSeverity(s string) bool {
	_, ok := event.ParseSeverity(s)
	return ok
}

// eventCategories reads event categories: known names, none repeated.
func eventCategories(f fields) ([]string, []event.Category, *Error) {
	raw, ok := f["categories"]
	if !ok || !present(raw) {
		return nil, nil, nil
	}
	var items []any
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, nil, badRequest("categories must be an array of strings")
	}
	names := make([]string, 0, len(items))
	cats := make([]event.Category, 0, len(items))
	for i, it := range items {
		name, ok := it.(string)
		if !ok {
			return nil, nil, badRequest("categories[%d] must be a string", i)
		}
		c, known := event.ParseCategory(name)
		if !known {
			return nil, nil, badRequest("categories[%d] is not an event category", i)
		}
		if slices.Contains(cats, c) {
			return nil, nil, badRequest("categories[%d] repeats a category", i)
		}
		names = append(names, name)
		cats = append(cats, c)
	}
	return names, cats, nil
}

// eventTypes reads event types, each of which must belong to a listed
// category (any category when none is listed). A name shared by two
// categories ("acknowledged", "resolved", "dismissed") means the type of
// each listed category that has it.
func eventTypes(f fields, cats []event.Category) ([]string, []event.Type, *Error) {
	if len(cats) == 0 {
		cats = event.Categories[:]
	}
	var types []event.Type
	valid := func(name string) bool {
		found := false
		for _, c := range cats {
			if _, ok := event.ParseType(c, name); ok {
				found = true
			}
		}
		return found
	}
	names, err := f.list("eventTypes", 64, valid, "an event type of the listed categories")
	if err != nil {
		return nil, nil, err
	}
	for _, name := range names {
		for _, c := range cats {
			if t, ok := event.ParseType(c, name); ok {
				types = append(types, t)
			}
		}
	}
	return names, types, nil
}

// checkDeliverSubject says what is wrong with a delivery subject, or ""
// when it is a literal subject outside the monitor's, the engines' and
// the system's namespaces.
func checkDeliverSubject(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c <= ' ' || c == 0x7f:
			return "must not contain whitespace or control characters"
		case c == '*' || c == '>':
			return "must be a literal subject, without wildcards"
		}
	}
	tokens := strings.Split(s, ".")
	for _, t := range tokens {
		if t == "" {
			return "must not have empty tokens"
		}
	}
	switch {
	case tokens[0] == "monitor", tokens[0] == "ops":
		return "must not be under monitor. or ops."
	case strings.HasPrefix(s, "$"):
		return "must not be under $"
	}
	return ""
}
