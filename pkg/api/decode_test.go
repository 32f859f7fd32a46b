package api

import (
	"encoding/json"
	"testing"
)

func FuzzQueryDecode(f *testing.F) {
	f.Add([]byte(`{"scope":{"tenantId":"t"}}`))
	f.Add([]byte(`{"scope":{"tenantId":"t","facilityId":"f","federationId":"g"},"categories":["live-workload","trend-signal"],"operatorIds":["op-1","op-1"],"windowMinutes":60,"recentEvents":0,"slaTimers":1000,"requestedBy":"u","requestedAt":"2026-01-21T10:00:00Z"}`))
	f.Add([]byte(`{"scope":{"tenantId":"t"},"windowMinutes":1e309}`))
	f.Add([]byte(`{"scope":{"tenantId":"t"},"categories":[null,1,{}]}`))
	f.Add([]byte(`{"scope":"t"}`))
	f.Add([]byte(`{"scope":{"tenantId":"t"}} trailing`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		q, err := decodeQuery(body, "t", 1000)
		if err != nil {
			if err.Code != 400 || err.Reason == "" {
				t.Fatalf("want a 400 with a reason, got %+v", err)
			}
			return
		}
		if q.Scope.TenantID != "t" {
			t.Fatalf("accepted a query for tenant %q on subject tenant t", q.Scope.TenantID)
		}
		if q.RecentEvents < 0 || q.RecentEvents > 1000 || q.SLATimers < 0 || q.SLATimers > MaxSLATimers {
			t.Fatalf("numbers out of range: %+v", q)
		}
		if q.WindowMinutes != nil && (*q.WindowMinutes < 1 || *q.WindowMinutes > MaxWindowMinutes) {
			t.Fatalf("window out of range: %d", *q.WindowMinutes)
		}
		if len(q.OperatorIDs) > MaxOperatorIDs {
			t.Fatalf("%d operators accepted", len(q.OperatorIDs))
		}
		if _, err := json.Marshal(q); err != nil {
			t.Fatalf("echo does not encode: %v", err)
		}
	})
}
