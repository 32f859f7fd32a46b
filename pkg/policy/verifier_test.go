package policy

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var testNow = time.Date(2026, 1, 21, 10, 0, 0, 0, time.UTC)

func fixedClock() time.Time { return testNow }

// tokenSpec describes a token a test signs.
type tokenSpec struct {
	method jwt.SigningMethod
	key    any // signing key
	kid    string
	claims jwt.MapClaims
}

func sign(t *testing.T, s tokenSpec) string {
	t.Helper()
	tok := jwt.NewWithClaims(s.method, s.claims)
	if s.kid != "" {
		tok.Header["kid"] = s.kid
	}
	out, err := tok.SignedString(s.key)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return out
}

// goodClaims returns a complete claim set valid at testNow.
func goodClaims() jwt.MapClaims {
	return jwt.MapClaims{
		"sub":         "user-001",
		"tenant":      "tenant-alpha",
		"exp":         testNow.Add(time.Hour).Unix(),
		"permissions": []string{PermViewTeamOperators},
		"operator":    "op-001",
		"team":        []string{"op-002", "op-003"},
	}
}

func with(c jwt.MapClaims, key string, val any) jwt.MapClaims {
	out := jwt.MapClaims{}
	for k, v := range c {
		out[k] = v
	}
	if val == nil {
		delete(out, key)
	} else {
		out[key] = val
	}
	return out
}

func newTestVerifier(t *testing.T, cfg VerifierConfig) *Verifier {
	t.Helper()
	k := fixtureKeys(t)
	if cfg.Keys == nil {
		var pemData []byte
		pemData = append(pemData, pemPublic(t, k.ed.Public(), "ed")...)
		pemData = append(pemData, pemPublic(t, k.ec.Public(), "ec")...)
		pemData = append(pemData, pemPublic(t, k.rsa.Public(), "rsa")...)
		ks, err := LoadKeys(pemData)
		if err != nil {
			t.Fatalf("LoadKeys: %v", err)
		}
		cfg.Keys = ks
	}
	if cfg.Now == nil {
		cfg.Now = fixedClock
	}
	v, err := NewVerifier(cfg)
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	return v
}

func TestVerifyAccepts(t *testing.T) {
	k := fixtureKeys(t)
	v := newTestVerifier(t, VerifierConfig{})

	tests := []struct {
		name string
		spec tokenSpec
	}{
		{"ed25519 with kid", tokenSpec{jwt.SigningMethodEdDSA, k.ed, "ed", goodClaims()}},
		{"ed25519 without kid", tokenSpec{jwt.SigningMethodEdDSA, k.ed, "", goodClaims()}},
		{"p-256 with kid", tokenSpec{jwt.SigningMethodES256, k.ec, "ec", goodClaims()}},
		{"p-256 without kid", tokenSpec{jwt.SigningMethodES256, k.ec, "", goodClaims()}},
		{"rsa-2048 with kid", tokenSpec{jwt.SigningMethodRS256, k.rsa, "rsa", goodClaims()}},
		{"rsa-2048 without kid", tokenSpec{jwt.SigningMethodRS256, k.rsa, "", goodClaims()}},
		{"expired within leeway", tokenSpec{jwt.SigningMethodEdDSA, k.ed, "ed",
			with(goodClaims(), "exp", testNow.Add(-29*time.Second).Unix())}},
		{"nbf within leeway", tokenSpec{jwt.SigningMethodEdDSA, k.ed, "ed",
			with(goodClaims(), "nbf", testNow.Add(29*time.Second).Unix())}},
		{"nbf passed", tokenSpec{jwt.SigningMethodEdDSA, k.ed, "ed",
			with(goodClaims(), "nbf", testNow.Add(-time.Minute).Unix())}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := v.Verify(sign(t, tt.spec))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if c.UserID != "user-001" || c.TenantID != "tenant-alpha" ||
				c.OperatorID != "op-001" ||
				strings.Join(c.TeamOperatorIDs, ",") != "op-002,op-003" {
				t.Fatalf("caller = %+v", c)
			}
			if !c.Has(PermViewTeamOperators) || c.Has(PermViewAllOperators) {
				t.Fatalf("permissions = %v", c.Permissions)
			}
		})
	}
}

func TestVerifyRejects(t *testing.T) {
	k := fixtureKeys(t)
	v := newTestVerifier(t, VerifierConfig{})

	pubDER, err := x509.MarshalPKIXPublicKey(k.ed.Public())
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pemPublic(t, k.ed.Public(), "")
	rsaPEM := pemPublic(t, k.rsa.Public(), "")

	noneTok, err := jwt.NewWithClaims(jwt.SigningMethodNone, goodClaims()).
		SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}

	good := sign(t, tokenSpec{jwt.SigningMethodEdDSA, k.ed, "ed", goodClaims()})
	parts := strings.Split(good, ".")
	evil, _ := json.Marshal(with(goodClaims(), "tenant", "tenant-beta"))
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(evil) + "." + parts[2]

	tests := []struct {
		name   string
		token  string
		reason string // a fragment of the error
	}{
		{"empty token", "", "missing token"},
		{"garbage", "not-a-jwt", "malformed"},
		{"alg none", noneTok, "algorithm not accepted"},
		{"hs256 with public key pem", sign(t, tokenSpec{jwt.SigningMethodHS256, pubPEM, "", goodClaims()}), "algorithm not accepted"},
		{"hs256 with public key pem and kid", sign(t, tokenSpec{jwt.SigningMethodHS256, pubPEM, "ed", goodClaims()}), "algorithm not accepted"},
		{"hs256 with public key der", sign(t, tokenSpec{jwt.SigningMethodHS256, pubDER, "", goodClaims()}), "algorithm not accepted"},
		{"hs256 with rsa public key pem", sign(t, tokenSpec{jwt.SigningMethodHS256, rsaPEM, "rsa", goodClaims()}), "algorithm not accepted"},
		{"rs256 against ed25519 kid", sign(t, tokenSpec{jwt.SigningMethodRS256, k.rsa, "ed", goodClaims()}), "algorithm does not match"},
		{"es256 against rsa kid", sign(t, tokenSpec{jwt.SigningMethodES256, k.ec, "rsa", goodClaims()}), "algorithm does not match"},
		{"expired beyond leeway", sign(t, tokenSpec{jwt.SigningMethodEdDSA, k.ed, "ed",
			with(goodClaims(), "exp", testNow.Add(-31*time.Second).Unix())}), "expired"},
		{"not yet valid", sign(t, tokenSpec{jwt.SigningMethodEdDSA, k.ed, "ed",
			with(goodClaims(), "nbf", testNow.Add(31*time.Second).Unix())}), "not yet valid"},
		{"unknown key without kid", sign(t, tokenSpec{jwt.SigningMethodEdDSA, k.edAlt, "", goodClaims()}), "invalid signature"},
		{"unknown key with trusted kid", sign(t, tokenSpec{jwt.SigningMethodEdDSA, k.edAlt, "ed", goodClaims()}), "invalid signature"},
		{"unknown kid", sign(t, tokenSpec{jwt.SigningMethodEdDSA, k.ed, "nope", goodClaims()}), "unknown key id"},
		{"tampered payload", tampered, "invalid signature"},
		{"missing tenant", sign(t, tokenSpec{jwt.SigningMethodEdDSA, k.ed, "ed", with(goodClaims(), "tenant", nil)}), "no tenant"},
		{"missing sub", sign(t, tokenSpec{jwt.SigningMethodEdDSA, k.ed, "ed", with(goodClaims(), "sub", nil)}), "no sub"},
		{"missing exp", sign(t, tokenSpec{jwt.SigningMethodEdDSA, k.ed, "ed", with(goodClaims(), "exp", nil)}), "no exp"},
		{"permissions not a list", sign(t, tokenSpec{jwt.SigningMethodEdDSA, k.ed, "ed", with(goodClaims(), "permissions", 7)}), "malformed"},
		{"too long", strings.Repeat("a", MaxTokenBytes+1), "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := v.Verify(tt.token)
			if !errors.Is(err, ErrUnauthenticated) {
				t.Fatalf("Verify error = %v, want ErrUnauthenticated (caller %+v)", err, c)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("error %q does not say %q", err, tt.reason)
			}
			if len(tt.token) > 20 && strings.Contains(err.Error(), tt.token[:20]) {
				t.Errorf("error %q echoes the token", err)
			}
		})
	}
}

func TestVerifyIssuerAudience(t *testing.T) {
	k := fixtureKeys(t)
	v := newTestVerifier(t, VerifierConfig{Issuer: "idp", Audience: "monitor"})

	tests := []struct {
		name    string
		claims  jwt.MapClaims
		wantErr string
	}{
		{"both match", with(with(goodClaims(), "iss", "idp"), "aud", "monitor"), ""},
		{"aud list contains", with(with(goodClaims(), "iss", "idp"), "aud", []string{"x", "monitor"}), ""},
		{"wrong issuer", with(with(goodClaims(), "iss", "other"), "aud", "monitor"), "wrong issuer"},
		{"missing issuer", with(goodClaims(), "aud", "monitor"), "wrong issuer"},
		{"wrong audience", with(with(goodClaims(), "iss", "idp"), "aud", "other"), "wrong audience"},
		{"missing audience", with(goodClaims(), "iss", "idp"), "wrong audience"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Verify(sign(t, tokenSpec{jwt.SigningMethodEdDSA, k.ed, "ed", tt.claims}))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrUnauthenticated) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Verify error = %v, want %q", err, tt.wantErr)
			}
		})
	}

	// Unconfigured, iss and aud are not checked.
	open := newTestVerifier(t, VerifierConfig{})
	tok := sign(t, tokenSpec{jwt.SigningMethodEdDSA, k.ed, "ed",
		with(with(goodClaims(), "iss", "anyone"), "aud", "anything")})
	if _, err := open.Verify(tok); err != nil {
		t.Fatalf("unconfigured verifier: %v", err)
	}
}

func TestVerifierConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     VerifierConfig
		wantErr error
	}{
		{"no keys", VerifierConfig{}, ErrNoKeys},
		{"empty key set", VerifierConfig{Keys: &KeySet{}}, ErrNoKeys},
		{"negative leeway", VerifierConfig{Keys: mustDevKeySet(t), Leeway: -time.Second}, ErrInvalidOptions},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewVerifier(tt.cfg); !errors.Is(err, tt.wantErr) {
				t.Fatalf("NewVerifier error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func mustDevKeySet(t *testing.T) *KeySet {
	t.Helper()
	ks, err := DevKeySet(fixtureKeys(t).ed)
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

func TestBearerToken(t *testing.T) {
	tests := []struct {
		name   string
		header string
		want   string
		ok     bool
	}{
		{"bearer", "Bearer abc.def.ghi", "abc.def.ghi", true},
		{"lower case scheme", "bearer abc.def.ghi", "abc.def.ghi", true},
		{"upper case scheme", "BEARER abc", "abc", true},
		{"surrounding spaces", "  Bearer   abc  ", "abc", true},
		{"absent", "", "", false},
		{"blank", "   ", "", false},
		{"scheme only", "Bearer", "", false},
		{"scheme and space", "Bearer ", "", false},
		{"basic", "Basic dXNlcjpwYXNz", "", false},
		{"no scheme", "abc.def.ghi", "", false},
		{"two words", "Bearer abc def", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := BearerToken(tt.header)
			if tt.ok {
				if err != nil || got != tt.want {
					t.Fatalf("BearerToken = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if !errors.Is(err, ErrUnauthenticated) {
				t.Fatalf("BearerToken error = %v, want ErrUnauthenticated", err)
			}
		})
	}
}
