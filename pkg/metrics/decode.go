package metrics

import "encoding/json"

// UnmarshalJSON keeps the event's JSON as Raw and reads back the fields
// the monitor itself uses, so that a client sees what the monitor sent.
func (r *RecentEvent) UnmarshalJSON(b []byte) error {
	var head struct {
		EventID    string `json:"eventId"`
		OperatorID string `json:"operatorId"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return err
	}
	r.EventID, r.OperatorID = head.EventID, head.OperatorID
	r.Raw = append(json.RawMessage(nil), b...)
	return nil
}
