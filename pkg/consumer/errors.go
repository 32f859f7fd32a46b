package consumer

import "errors"

// Sentinel errors of the package.
var (
	// ErrConfig wraps a configuration setting out of range.
	ErrConfig = errors.New("consumer: invalid config")
	// ErrSubjectClash is returned when provisioning the ingest stream would
	// overlap another stream's subjects; the message names that stream.
	ErrSubjectClash = errors.New("consumer: stream subjects overlap another stream")
	// ErrNoStream is returned in bind-only mode when the stream is missing.
	ErrNoStream = errors.New("consumer: ingest stream not found")
	// ErrLeaseLost is returned when another instance took the lease.
	ErrLeaseLost = errors.New("consumer: active lease lost")
)
