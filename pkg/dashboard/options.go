package dashboard

import (
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/rs/zerolog"
)

// Options configure a Handler. Only Conn is required.
type Options struct {
	// Conn returns the NATS connection requests go over: the monitor's
	// own. It may return nil before the monitor has connected; calls
	// then answer 503. Required.
	Conn func() *nats.Conn

	// Links maps a console name (see Consoles) to the URL of that
	// system's console. The page shows a link for each one set; names
	// not set, or set to "", are hidden.
	Links map[string]string

	// PollInterval is how often a feed queries again when it has no
	// managed subscription. Default 2 s.
	PollInterval time.Duration
	// Heartbeat is how often a feed sends a ping, so that the page can
	// tell a quiet feed from a dead one. Default 15 s.
	Heartbeat time.Duration
	// LeaseSeconds is the lease of a feed's managed subscription, which
	// the feed renews while it runs. Default 60.
	LeaseSeconds int

	// Version is shown in the page's footer.
	Version string
	// Logger receives failures; tokens are never logged. Default: none.
	Logger *zerolog.Logger
}

// Console is one of the other systems whose console the page links to.
type Console struct {
	// Name is the key in Options.Links and the suffix of the service's
	// --console-url-<name> flag.
	Name string
	// Label is the link's text.
	Label string
}

// Consoles lists the consoles the page can link to, in the page's order.
var Consoles = []Console{
	{"action-center", "Action center"},
	{"alert-center", "Alert center"},
	{"auditor", "Auditor"},
	{"integrity-monitor", "Integrity monitor"},
	{"governance", "Governance"},
	{"documentation", "Documentation"},
	{"simulation", "Simulation"},
	{"fabric", "Fabric"},
	{"operator-analytics", "Operator analytics"},
}

// link is a configured console link as the page receives it.
type link struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	URL   string `json:"url"`
}

// Validate reports the first option out of range: a missing Conn
// (ErrNoConn), an unknown console name (ErrUnknownConsole) or a link that
// is not an absolute http(s) URL (ErrBadLink).
func (o Options) Validate() error {
	if o.Conn == nil {
		return ErrNoConn
	}
	if o.PollInterval < 0 || o.Heartbeat < 0 || o.LeaseSeconds < 0 {
		return fmt.Errorf("dashboard: intervals and lease must not be negative")
	}
	for name, raw := range o.Links {
		if !slices.ContainsFunc(Consoles, func(c Console) bool { return c.Name == name }) {
			return fmt.Errorf("%w: %q", ErrUnknownConsole, name)
		}
		if raw == "" {
			continue
		}
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%w: %s", ErrBadLink, name)
		}
	}
	return nil
}

// withDefaults fills the zero values.
func (o Options) withDefaults() Options {
	if o.PollInterval == 0 {
		o.PollInterval = 2 * time.Second
	}
	if o.Heartbeat == 0 {
		o.Heartbeat = 15 * time.Second
	}
	if o.LeaseSeconds == 0 {
		o.LeaseSeconds = 60
	}
	if o.Logger == nil {
		nop := zerolog.Nop()
		o.Logger = &nop
	}
	return o
}

// links returns the configured links in the order of Consoles.
func (o Options) links() []link {
	out := []link{}
	for _, c := range Consoles {
		if u := o.Links[c.Name]; u != "" {
			out = append(out, link{Name: c.Name, Label: c.Label, URL: u})
		}
	}
	return out
}

// ConnWhenReady returns an Options.Conn that yields nil until ready is
// closed and conn() from then on. With the service's Ready channel and
// Conn method it reads the connection only after Run has set it, so the
// dashboard can be mounted before Run starts without a data race.
func ConnWhenReady(ready <-chan struct{}, conn func() *nats.Conn) func() *nats.Conn {
	return func() *nats.Conn {
		select {
		case <-ready:
			return conn()
		default:
			return nil
		}
	}
}
