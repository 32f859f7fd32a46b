package dashboard

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/opsmonitor/monitor/pkg/event"
)

// maxTokenLen bounds the Authorization header's token; longer ones are
// refused without a request to the monitor.
const maxTokenLen = 8 << 10

// claims are the token claims the dashboard reads, unverified, to pick a
// default tenant. They grant nothing: the monitor verifies the token on
// every request the dashboard forwards.
type claims struct {
	Subject     string   `json:"sub"`
	Tenant      string   `json:"tenant"`
	Permissions []string `json:"permissions"`
	Operator    string   `json:"operator,omitempty"`
}

// bearer returns the token of r's Authorization header, and false when
// there is none or it cannot be a JWT (three base64url parts).
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	if tok == "" || len(tok) > maxTokenLen || strings.Count(tok, ".") != 2 {
		return "", false
	}
	return tok, true
}

// peekClaims decodes the payload of tok without verifying it; false when
// it does not decode or names no tenant.
func peekClaims(tok string) (claims, bool) {
	var c claims
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return c, false
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return c, false
	}
	if json.Unmarshal(b, &c) != nil || !event.ValidName(c.Tenant) {
		return c, false
	}
	return c, true
}

// tokenInURL reports whether r carries something that looks like a
// token in its query string, which the dashboard refuses so that nobody
// gets used to putting tokens where logs and histories keep them.
func tokenInURL(r *http.Request) bool {
	q := r.URL.Query()
	for _, k := range []string{"token", "access_token", "jwt", "authorization", "bearer"} {
		if q.Has(k) {
			return true
		}
	}
	return false
}
