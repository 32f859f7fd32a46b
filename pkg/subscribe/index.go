package subscribe

import (
	"sync/atomic"

	"github.com/opsmonitor/monitor/pkg/event"
)

// tenantEntry holds one tenant's current index. The index is replaced
// whole, under Engine.mu, whenever the tenant's subscriptions change;
// Offer reads it without a lock.
type tenantEntry struct {
	idx atomic.Pointer[tenantIndex]
}

// tenantIndex lists, per event category, the tenant's subscriptions
// that may want an event of that category, grouped by the shard that
// delivers them. It is immutable once published.
type tenantIndex struct {
	byCat [event.NumCategories][]group
}

// group is the candidate subscriptions of one category on one shard.
type group struct {
	shard *shard
	subs  []*sub
}

// reindexLocked rebuilds tenant's index from its live subscriptions. It
// costs O(subscriptions of the tenant), paid on create, cancel and
// expiry, never per event.
func (e *Engine) reindexLocked(tenant string) {
	v, _ := e.tenants.LoadOrStore(tenant, &tenantEntry{})
	entry := v.(*tenantEntry)
	set := e.byTenant[tenant]
	if len(set) == 0 {
		entry.idx.Store(nil)
		return
	}

	pos := make(map[*shard]int, len(e.shards))
	idx := &tenantIndex{}
	for c := range event.NumCategories {
		cat := event.Category(c)
		clear(pos)
		var groups []group
		for _, s := range set {
			if !s.m.wantsCategory(cat) {
				continue
			}
			i, ok := pos[s.shard]
			if !ok {
				i = len(groups)
				pos[s.shard] = i
				groups = append(groups, group{shard: s.shard})
			}
			groups[i].subs = append(groups[i].subs, s)
		}
		idx.byCat[c] = groups
	}
	entry.idx.Store(idx)
}
