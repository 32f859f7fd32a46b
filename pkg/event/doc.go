// Package event defines the monitor's vocabulary: the eight event
// categories, their event types and lifecycle roles, severities, and the
// decoded form of one ingest event.
//
// Everything here is immutable data and pure functions, safe for
// concurrent use.
package event
