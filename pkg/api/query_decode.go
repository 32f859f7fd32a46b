package api

import (
	"encoding/json"

	"github.com/opsmonitor/monitor/pkg/metrics"
)

// Limits of a query.
const (
	MaxOperatorIDs   = 1000
	MaxWindowMinutes = 10080
	MaxSLATimers     = 1000
)

// decodeQuery validates a query body against the subject's tenant. The
// recent-events limit is the tenant buffer size.
func decodeQuery(body []byte, subjectTenant string, maxRecent int) (Query, *Error) {
	var q Query
	f, err := decodeFields(body)
	if err != nil {
		return q, err
	}
	if q.Scope, err = f.scope(subjectTenant); err != nil {
		return q, err
	}
	if q.QueryID, err = f.str("queryId", 128); err != nil {
		return q, err
	}
	if q.Description, err = f.str("description", 1024); err != nil {
		return q, err
	}
	if q.Categories, err = decodeCategories(f); err != nil {
		return q, err
	}
	if q.OperatorIDs, err = f.list("operatorIds", MaxOperatorIDs, operatorID, "an operator id"); err != nil {
		return q, err
	}
	if q.OperatorIDs == nil {
		q.OperatorIDs = []string{}
	}
	w, ok, err := f.integer("windowMinutes", 1, MaxWindowMinutes)
	if err != nil {
		return q, err
	}
	if ok {
		q.WindowMinutes = &w
	}
	if q.RecentEvents, ok, err = f.integer("recentEvents", 0, maxRecent); err != nil {
		return q, err
	} else if !ok {
		q.RecentEvents = min(metrics.DefaultRecentEvents, maxRecent)
	}
	if q.SLATimers, ok, err = f.integer("slaTimers", 0, MaxSLATimers); err != nil {
		return q, err
	} else if !ok {
		q.SLATimers = metrics.DefaultSLATimers
	}
	if q.RequestedBy, err = f.str("requestedBy", 128); err != nil {
		return q, err
	}
	if q.RequestedAt, err = f.timestamp("requestedAt"); err != nil {
		return q, err
	}
	return q, nil
}

// decodeCategories reads metric categories: known names, none repeated.
func decodeCategories(f fields) ([]string, *Error) {
	raw, ok := f["categories"]
	if !ok || !present(raw) {
		return nil, nil
	}
	var names []any
	if err := json.Unmarshal(raw, &names); err != nil {
		return nil, badRequest("categories must be an array of strings")
	}
	seen := map[string]bool{}
	out := make([]string, 0, len(names))
	for i, n := range names {
		s, ok := n.(string)
		if !ok {
			return nil, badRequest("categories[%d] must be a string", i)
		}
		if _, known := metrics.ParseCategory(s); !known {
			return nil, badRequest("categories[%d] is not a metric category", i)
		}
		if seen[s] {
			return nil, badRequest("categories[%d] repeats a category", i)
		}
		seen[s] = true
		out = append(out, s)
	}
	return out, nil
}
