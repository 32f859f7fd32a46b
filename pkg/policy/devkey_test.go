package policy

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestLoadOrCreateDevKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")

	priv, created, err := LoadOrCreateDevKey(dir)
	if err != nil {
		t.Fatalf("first call: %v", err)
	}
	if !created {
		t.Fatal("first call did not create the key")
	}

	path := filepath.Join(dir, DevKeyFile)
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Fatalf("key file mode = %#o, want 0600", perm)
	}
	dinfo, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := dinfo.Mode().Perm(); perm&0o077 != 0 {
		t.Fatalf("data dir mode = %#o, want no group or other bits", perm)
	}
	leftovers, err := filepath.Glob(filepath.Join(dir, ".dev-auth-key-*"))
	if err != nil || len(leftovers) != 0 {
		t.Fatalf("temporary files left: %v %v", leftovers, err)
	}

	again, created, err := LoadOrCreateDevKey(dir)
	if err != nil {
		t.Fatalf("second call: %v", err)
	}
	if created {
		t.Fatal("second call created a new key")
	}
	if !priv.Equal(again) {
		t.Fatal("second call returned a different key")
	}
}

func TestLoadOrCreateDevKeyRefusesBadFiles(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, path string)
	}{
		{"readable by others", func(t *testing.T, path string) {
			if err := os.Chmod(path, 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"not a key", func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte("junk"), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"a public key", func(t *testing.T, path string) {
			data := pemPublic(t, fixtureKeys(t).ed.Public(), "")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if _, _, err := LoadOrCreateDevKey(dir); err != nil {
				t.Fatal(err)
			}
			tt.setup(t, filepath.Join(dir, DevKeyFile))

			_, _, err := LoadOrCreateDevKey(dir)
			if !errors.Is(err, ErrInvalidKeyFile) {
				t.Fatalf("error = %v, want ErrInvalidKeyFile", err)
			}
		})
	}
}

func TestMintVerifies(t *testing.T) {
	priv, _, err := LoadOrCreateDevKey(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ks, err := DevKeySet(priv)
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewVerifier(VerifierConfig{Keys: ks, Now: fixedClock})
	if err != nil {
		t.Fatal(err)
	}

	tok, err := Mint(priv, MintOptions{
		Tenant:   "tenant-alpha",
		User:     "user-001",
		Perms:    []string{PermAuditRead, PermBulkQuery},
		Operator: "op-001",
		Team:     []string{"op-002"},
		TTL:      10 * time.Minute,
		Now:      fixedClock,
	})
	if err != nil {
		t.Fatalf("Mint: %v", err)
	}

	c, err := v.Verify(tok)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if c.UserID != "user-001" || c.TenantID != "tenant-alpha" ||
		c.OperatorID != "op-001" || !slices.Equal(c.TeamOperatorIDs, []string{"op-002"}) ||
		!c.Has(PermAuditRead) || !c.Has(PermBulkQuery) {
		t.Fatalf("caller = %+v", c)
	}

	// The TTL is honoured: beyond it plus the leeway the token is dead.
	late, err := NewVerifier(VerifierConfig{Keys: ks, Now: func() time.Time {
		return testNow.Add(10*time.Minute + DefaultLeeway + time.Second)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := late.Verify(tok); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("expired minted token: err = %v", err)
	}

	// Another dev key's set does not trust it.
	other, err := DevKeySet(fixtureKeys(t).edAlt)
	if err != nil {
		t.Fatal(err)
	}
	ov, err := NewVerifier(VerifierConfig{Keys: other, Now: fixedClock})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ov.Verify(tok); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("foreign dev key: err = %v", err)
	}
}

func TestMintOptions(t *testing.T) {
	priv := fixtureKeys(t).ed
	tests := []struct {
		name    string
		priv    []byte
		opts    MintOptions
		wantErr error
	}{
		{"no tenant", priv, MintOptions{User: "u"}, ErrInvalidOptions},
		{"no user", priv, MintOptions{Tenant: "t"}, ErrInvalidOptions},
		{"negative ttl", priv, MintOptions{Tenant: "t", User: "u", TTL: -time.Second}, ErrInvalidOptions},
		{"short key", priv[:10], MintOptions{Tenant: "t", User: "u"}, ErrUnsupportedKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Mint(tt.priv, tt.opts); !errors.Is(err, tt.wantErr) {
				t.Fatalf("Mint error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}
