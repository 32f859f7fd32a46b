package subscribe

import "errors"

// Sentinel errors of the package. The API maps them to its error codes.
var (
	// ErrNotFound is returned for an unknown subscription id, or one that
	// belongs to another user or another tenant (the two are not told
	// apart, so that ids cannot be probed).
	ErrNotFound = errors.New("subscribe: no such subscription")
	// ErrLimit is returned when the tenant already has its maximum of live
	// subscriptions.
	ErrLimit = errors.New("subscribe: subscription limit reached")
	// ErrFilterChanged is returned when a renewal names a filter or a
	// delivery subject other than the subscription's.
	ErrFilterChanged = errors.New("subscribe: a renewal may not change the filter")
	// ErrInvalid wraps a request the engine cannot take (a lease out of
	// range, a missing owner); the API validates before it gets here.
	ErrInvalid = errors.New("subscribe: invalid request")
	// ErrClosed is returned once Close has begun.
	ErrClosed = errors.New("subscribe: engine closed")
)
