package event

import "time"

// Event is one accepted, validated ingest event. The decoder fills it;
// after that it is never changed, so it may be shared between goroutines.
type Event struct {
	// ID is the envelope's eventId, unique within a tenant.
	ID       string
	Category Category
	Type     Type
	// Timestamp is the event time, with full precision, in UTC.
	Timestamp time.Time
	Severity  Severity

	TenantID     string
	FacilityID   string // empty when the event has none
	FederationID string // empty when the event has none

	EntityID   string
	EntityType string

	OperatorID   string // empty when absent
	OperatorName string // empty when absent

	// WorkCategory is payload.category of a task's created event, empty
	// when absent (the metrics then say "uncategorized").
	WorkCategory string
	// SLAHours is payload.slaHours of a task's created or an alert's
	// detected event; 0 when absent.
	SLAHours float64

	// Raw is the body exactly as received. It is republished unchanged.
	Raw []byte
}

// Meta is what JetStream says about the message that carried an event.
type Meta struct {
	// StreamSeq is the message's sequence in the ingest stream.
	StreamSeq uint64
	// Stored is when JetStream stored the message.
	Stored time.Time
	// Received is when the monitor took the message (wall clock).
	Received time.Time
}
