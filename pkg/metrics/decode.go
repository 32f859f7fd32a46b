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

// UnmarshalJSON reads a metric document back with its breakdown in the
// typed forms Compute produces (map[string]float64, float64, []float64),
// so that a client's Metric behaves like the monitor's.
func (m *Metric) UnmarshalJSON(b []byte) error {
	type plain Metric
	var doc struct {
		plain
		Breakdown map[string]json.RawMessage `json:"breakdown"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return err
	}
	*m = Metric(doc.plain)
	m.Breakdown = make(map[string]any, len(doc.Breakdown))
	for k, raw := range doc.Breakdown {
		var num float64
		var list []float64
		var byKey map[string]float64
		switch {
		case json.Unmarshal(raw, &num) == nil:
			m.Breakdown[k] = num
		case json.Unmarshal(raw, &list) == nil:
			m.Breakdown[k] = list
		case json.Unmarshal(raw, &byKey) == nil:
			m.Breakdown[k] = byKey
		default:
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				return err
			}
			m.Breakdown[k] = v
		}
	}
	return nil
}
