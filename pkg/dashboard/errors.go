package dashboard

import "errors"

// Errors of New.
var (
	// ErrNoConn is returned by New when Options.Conn is nil.
	ErrNoConn = errors.New("dashboard: Options.Conn is required")
	// ErrUnknownConsole is wrapped by New for a Links key that names no
	// known console.
	ErrUnknownConsole = errors.New("dashboard: unknown console")
	// ErrBadLink is wrapped by New for a Links URL that is not an
	// absolute http or https URL.
	ErrBadLink = errors.New("dashboard: console link must be an absolute http(s) URL")
)
