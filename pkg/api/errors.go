package api

import (
	"errors"
	"fmt"
)

// Rule names of errors that are not policy rules.
const (
	RuleSizeLimit         = "size-limit"
	RuleAuthentication    = "authentication"
	RuleRateLimit         = "rate-limit"
	RuleValidation        = "validation"
	RuleNotFound          = "not-found"
	RuleSubscriptionLimit = "subscription-limit"
	RuleRebuilding        = "rebuilding"
	RuleInternal          = "internal"
)

// Error is an endpoint's failure: an HTTP-like code, the rule that
// failed and a reason for people. It never carries raw input.
type Error struct {
	Code   int
	Rule   string
	Reason string
}

// Error implements error.
func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Code, e.Rule, e.Reason) }

// Body returns the error as its wire document.
func (e *Error) Body() ErrorBody { return ErrorBody{Code: e.Code, Rule: e.Rule, Reason: e.Reason} }

func badRequest(format string, args ...any) *Error {
	return &Error{Code: 400, Rule: RuleValidation, Reason: fmt.Sprintf(format, args...)}
}

func forbidden(rule, reason string) *Error {
	return &Error{Code: 403, Rule: rule, Reason: reason}
}

func internal(id string) *Error {
	return &Error{Code: 500, Rule: RuleInternal, Reason: "internal error; see the monitor's log for request " + id}
}

// asError returns err as an *Error, or a 500 when it is not one.
func asError(err error, id string) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return internal(id)
}
