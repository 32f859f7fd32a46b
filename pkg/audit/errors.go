package audit

import "errors"

// ErrBadRequest marks a query the caller got wrong: an unknown type, a bad
// cursor, a limit out of range, an invalid tenant. The API layer answers it
// with a 400; the wrapping error's text names the field.
var ErrBadRequest = errors.New("audit: bad request")

// ErrInvalidConfig is returned by Config.Validate and WriterConfig.Validate
// (and so by Provision, NewWriter and NewReader) for a negative or otherwise
// impossible setting.
var ErrInvalidConfig = errors.New("audit: invalid config")

// ErrClosed is returned by Writer.Start and Writer.Close once the writer has
// been closed.
var ErrClosed = errors.New("audit: writer closed")

// ErrEntryTooLarge is returned by Reader.Query when a single stored entry
// does not fit in an empty page of Request.MaxBytes. With the field caps
// Record applies, every entry fits in 64 KiB.
var ErrEntryTooLarge = errors.New("audit: entry larger than the page limit")

// ErrUnwritten is returned by Writer.Close when entries could not be
// stored before it returned: publishes failed after every retry, or the
// flush ran out of time. Stats.Failed counts them.
var ErrUnwritten = errors.New("audit: entries not written")
