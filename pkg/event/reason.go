package event

// Reason is the code of events.md that says why a message was rejected.
type Reason uint8

// The rejection reasons, in the order the spec lists its reason codes.
const (
	ReasonTooLarge Reason = iota
	ReasonMalformedJSON
	ReasonMissingField
	ReasonInvalidField
	ReasonUnknownCategory
	ReasonUnknownEventType
	ReasonSubjectMismatch
	ReasonTimestampInFuture
	ReasonTenantLimit

	// NumReasons is the number of reason codes.
	NumReasons = 9
)

var reasonNames = [NumReasons]string{
	"too-large",
	"malformed-json",
	"missing-field",
	"invalid-field",
	"unknown-category",
	"unknown-event-type",
	"subject-mismatch",
	"timestamp-in-future",
	"tenant-limit",
}

// Reasons lists every reason code in spec order.
var Reasons = [NumReasons]Reason{
	ReasonTooLarge, ReasonMalformedJSON, ReasonMissingField,
	ReasonInvalidField, ReasonUnknownCategory, ReasonUnknownEventType,
	ReasonSubjectMismatch, ReasonTimestampInFuture, ReasonTenantLimit,
}

// String returns the reason's code, such as "malformed-json".
func (r Reason) String() string {
	if r < NumReasons {
		return reasonNames[r]
	}
	return "unknown"
}

// Rejection is the verdict on a message that was not accepted: its reason
// code and a short sentence naming the field, never echoing raw values.
type Rejection struct {
	Reason Reason
	Detail string
}

// Error implements error, so a rejection can travel as one.
func (r *Rejection) Error() string { return r.Reason.String() + ": " + r.Detail }
