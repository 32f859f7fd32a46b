package state

// Outcome is what Apply did with an event. At most one field is true; all
// false means the event was applied normally (informational events
// included).
type Outcome struct {
	// Duplicate: the event id was seen recently; nothing changed but the
	// duplicates counter, and the event must not be republished.
	Duplicate bool
	// Orphan: the event names an entity that was never opened, or was
	// closed and forgotten; it is counted but changes no entity.
	Orphan bool
	// Late: the entity is already closed, or this is a second opening
	// event of an open entity; it is counted but changes no entity.
	Late bool
}
