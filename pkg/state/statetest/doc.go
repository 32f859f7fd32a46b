// Package statetest builds events and feeds them to a state.Tenant, for
// the tests of state, metrics and the packages above them.
//
// An E names only the fields a test cares about; E.Event fills in the
// rest (tenant, entity type, raw JSON body) the way a publisher would.
// A Feed applies events with increasing stream sequences. Nothing here
// is safe for concurrent use.
package statetest
