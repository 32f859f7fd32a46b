package state

import "errors"

// ErrInvalidConfig is returned, wrapped with the offending field, by
// Config.Validate.
var ErrInvalidConfig = errors.New("state: invalid config")
