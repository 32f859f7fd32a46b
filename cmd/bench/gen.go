package main

import (
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
)

// bodySize is the size the generator pads each event body to, the
// "about 500 bytes" of the issue.
const bodySize = 500

// ingestPrefix is the ingest subject prefix the monitor reads by default.
const ingestPrefix = "ops.events"

// category is one of the eight event categories as the generator sees
// it: its wire name, its entity type, its engine and its lifecycle plan.
type category struct {
	name       string
	entityType string
	engine     string
	// steps is the full life of an entity: the opening type first, the
	// closing type last. Empty for purely informational categories.
	steps []string
	// closers are alternative closing types (one is picked at random).
	closers []string
	// info are informational types, sent without an entity life.
	info []string
	// weight is the category's share of new lifecycles.
	weight int
}

// categories is the mix of the benchmark. Tasks and alerts dominate, as
// they do for an operations team; every category appears.
var categories = []category{
	{"task-lifecycle", "task", "action-center",
		[]string{"created", "acknowledged", "assigned", "in-progress", "resolved"},
		[]string{"resolved", "dismissed"}, nil, 30},
	{"alert-lifecycle", "alert", "alert-center",
		[]string{"detected", "acknowledged", "escalated", "resolved"},
		[]string{"resolved", "dismissed"}, nil, 25},
	{"audit-finding", "finding", "auditor",
		[]string{"finding-created", "finding-acknowledged", "remediation-started", "remediation-completed"},
		nil, nil, 8},
	{"drift-detection", "drift", "integrity-monitor",
		[]string{"drift-detected", "drift-acknowledged", "drift-remediated"},
		nil, nil, 8},
	{"governance-lineage", "policy", "governance",
		[]string{"policy-violation", "policy-resolved"},
		nil, []string{"lineage-updated"}, 6},
	{"documentation-drift", "document", "documentation-engine",
		[]string{"doc-outdated", "doc-updated", "doc-validated"},
		nil, nil, 6},
	{"simulation-mismatch", "mismatch", "simulation",
		[]string{"mismatch-detected", "mismatch-analyzed", "mismatch-resolved"},
		nil, nil, 6},
	{"performance-signal", "signal", "operator-analytics",
		nil, nil, []string{"metric-computed", "sla-breached", "workload-changed"}, 11},
}

var severities = []string{"critical", "high", "medium", "low"}

var workCategories = []string{
	"audit-remediation", "maintenance", "incident", "change", "review",
}

// genConfig shapes a generator.
type genConfig struct {
	// Tenants is how many tenants events are spread over (>= 100 in a
	// realistic mix).
	Tenants int
	// Operators is how many operators each tenant has.
	Operators int
	// Slots is how many entity lives run interleaved at once.
	Slots int
	// IDPrefix starts every event and entity id, so that two
	// generators never collide.
	IDPrefix string
	// OpenShare is the share of lives cut short before their closing
	// event, so that entities stay open.
	OpenShare float64
	// OpenOnly makes every life stop after its opening event (and, half
	// the time, one progress event), and leaves out informational
	// events: every entity opened stays open.
	OpenOnly bool
	// Seed makes the mix reproducible.
	Seed uint64
}

// life is one entity's planned sequence of events.
type life struct {
	cat      *category
	tenant   int
	facility string
	fed      string
	entity   string
	steps    []string
	next     int
	operator int
	severity int
}

// generated is one event ready to publish.
type generated struct {
	subject string
	msgID   string // Nats-Msg-Id: <tenant>:<eventId>
	body    []byte
	opens   bool // the event opens an entity
}

// msg returns the event as a NATS message with its de-duplication id.
func (g generated) msg() *nats.Msg {
	m := nats.NewMsg(g.subject)
	m.Data = g.body
	m.Header.Set(nats.MsgIdHdr, g.msgID)
	return m
}

// generator produces an endless, interleaved mix of entity lives over
// many tenants, as engines would publish them. Not safe for concurrent
// use.
type generator struct {
	cfg     genConfig
	rng     *rand.Rand
	tenants []string
	slots   []*life
	weights int
	n       int // events made so far
	lives   int // lives started so far
	buf     []byte
}

func newGenerator(cfg genConfig) *generator {
	if cfg.Operators == 0 {
		cfg.Operators = 40
	}
	if cfg.Slots == 0 {
		cfg.Slots = 4096
	}
	g := &generator{
		cfg: cfg,
		rng: rand.New(rand.NewPCG(cfg.Seed, 0x6d6f6e69746f72)),
	}
	for i := range cfg.Tenants {
		g.tenants = append(g.tenants, "tenant-"+pad3(i))
	}
	for _, c := range categories {
		g.weights += c.weight
	}
	g.slots = make([]*life, cfg.Slots)
	return g
}

func pad3(i int) string {
	s := strconv.Itoa(i)
	for len(s) < 3 {
		s = "0" + s
	}
	return s
}

// next returns the next event of the mix, stamped with time at.
func (g *generator) next(at time.Time) generated {
	for {
		i := g.rng.IntN(len(g.slots))
		l := g.slots[i]
		if l == nil || l.next >= len(l.steps) {
			l = g.newLife()
			g.slots[i] = l
		}
		info := l.cat.info
		switch {
		case l.cat.steps == nil && g.cfg.OpenOnly:
			g.slots[i] = nil
			continue
		case l.cat.steps == nil:
			g.slots[i] = nil
			return g.build(l, info[g.rng.IntN(len(info))], at)
		case info != nil && !g.cfg.OpenOnly && g.rng.IntN(4) == 0:
			return g.build(l, info[g.rng.IntN(len(info))], at)
		}
		typ := l.steps[l.next]
		l.next++
		return g.build(l, typ, at)
	}
}

// newLife plans one entity's life.
func (g *generator) newLife() *life {
	w := g.rng.IntN(g.weights)
	var c *category
	for k := range categories {
		if w < categories[k].weight {
			c = &categories[k]
			break
		}
		w -= categories[k].weight
	}
	g.lives++
	l := &life{
		cat:      c,
		tenant:   g.rng.IntN(len(g.tenants)),
		entity:   c.entityType + "-" + g.cfg.IDPrefix + strconv.Itoa(g.lives),
		operator: g.rng.IntN(g.cfg.Operators),
		severity: g.rng.IntN(len(severities)),
	}
	if g.rng.IntN(10) != 0 {
		l.facility = "facility-" + pad3(g.rng.IntN(6))
	}
	if g.rng.IntN(3) != 0 {
		l.fed = []string{"fed-north", "fed-south"}[l.tenant%2]
	}
	if c.steps == nil {
		return l
	}

	steps := append([]string(nil), c.steps...)
	if c.closers != nil {
		steps[len(steps)-1] = c.closers[g.rng.IntN(len(c.closers))]
	}
	// Progress events are optional: drop some, keeping the opening one.
	kept := steps[:1]
	for _, s := range steps[1 : len(steps)-1] {
		if s == "assigned" || g.rng.IntN(3) != 0 {
			kept = append(kept, s)
		}
	}
	kept = append(kept, steps[len(steps)-1])
	switch {
	case g.cfg.OpenOnly:
		// The opening event and, half the time, one progress event;
		// never the closing one.
		if len(kept) > 2 && g.rng.IntN(2) == 0 {
			kept = kept[:2]
		} else {
			kept = kept[:1]
		}
	case g.rng.Float64() < g.cfg.OpenShare:
		kept = kept[:1+g.rng.IntN(len(kept)-1)]
	}
	l.steps = kept
	return l
}

// build encodes one event of life l. The body follows the envelope of
// events.md, with metadata padded so that the body is about bodySize.
func (g *generator) build(l *life, typ string, at time.Time) generated {
	g.n++
	tenant := g.tenants[l.tenant]
	id := g.cfg.IDPrefix + strconv.Itoa(g.n)
	opening := l.cat.steps != nil && typ == l.cat.steps[0]
	op := "op-" + pad3(l.operator)
	withOp := typ == "assigned" || (typ == "in-progress" && g.rng.IntN(2) == 0) ||
		(l.cat.steps == nil && g.rng.IntN(2) == 0)

	b := g.buf[:0]
	b = append(b, `{"eventId":"`...)
	b = append(b, id...)
	b = append(b, `","category":"`...)
	b = append(b, l.cat.name...)
	b = append(b, `","eventType":"`...)
	b = append(b, typ...)
	b = append(b, `","timestamp":"`...)
	b = at.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","scope":{"tenantId":"`...)
	b = append(b, tenant...)
	b = append(b, '"')
	if l.facility != "" {
		b = append(b, `,"facilityId":"`...)
		b = append(b, l.facility...)
		b = append(b, '"')
	}
	if l.fed != "" {
		b = append(b, `,"federationId":"`...)
		b = append(b, l.fed...)
		b = append(b, '"')
	}
	b = append(b, `},"severity":"`...)
	b = append(b, severities[l.severity]...)
	b = append(b, `","entityId":"`...)
	b = append(b, l.entity...)
	b = append(b, `","entityType":"`...)
	b = append(b, l.cat.entityType...)
	b = append(b, '"')
	if withOp {
		b = append(b, `,"operatorId":"`...)
		b = append(b, op...)
		b = append(b, `","operatorName":"Operator `...)
		b = append(b, pad3(l.operator)...)
		b = append(b, '"')
	}
	if opening {
		switch l.cat.name {
		case "task-lifecycle":
			b = append(b, `,"payload":{"category":"`...)
			b = append(b, workCategories[g.n%len(workCategories)]...)
			b = append(b, '"')
			if g.n%4 == 0 {
				b = append(b, `,"slaHours":2`...)
			}
			b = append(b, '}')
		case "alert-lifecycle":
			if g.n%3 == 0 {
				b = append(b, `,"payload":{"slaHours":6}`...)
			}
		}
	}
	b = append(b, `,"metadata":{"sourceSystem":"`...)
	b = append(b, l.cat.engine...)
	b = append(b, `","sourcePhase":`...)
	b = strconv.AppendInt(b, int64(g.n%97), 10)
	const noteOpen, noteClose = `,"note":"`, `"}}`
	fill := bodySize - len(b) - len(noteOpen) - len(noteClose)
	if fill > 0 {
		b = append(b, noteOpen...)
		for k := range fill {
			b = append(b, byte('a'+k%26))
		}
		b = append(b, '"')
	}
	b = append(b, "}}"...)
	g.buf = b

	facToken := l.facility
	if facToken == "" {
		facToken = "_"
	}
	body := make([]byte, len(b))
	copy(body, b)
	return generated{
		subject: ingestPrefix + "." + l.cat.name + "." + tenant + "." + facToken,
		msgID:   tenant + ":" + id,
		body:    body,
		opens:   opening,
	}
}
