package policy

import "testing"

func TestVisibility(t *testing.T) {
	tests := []struct {
		name    string
		c       Caller
		tenant  string
		narrow  []string
		visible []string
		hidden  []string
		all     bool
	}{
		{
			name:    "no operator permission sees own operator",
			c:       caller(),
			tenant:  "tenant-alpha",
			visible: []string{"op-001"},
			hidden:  []string{"op-002", "op-003", "op-009", ""},
		},
		{
			name:   "no operator claim sees none",
			c:      NewCaller("u", "tenant-alpha", nil, "", []string{"op-002"}),
			tenant: "tenant-alpha",
			hidden: []string{"op-001", "op-002", ""},
		},
		{
			name:    "team permission sees team and self",
			c:       caller(PermViewTeamOperators),
			tenant:  "tenant-alpha",
			visible: []string{"op-001", "op-002", "op-003"},
			hidden:  []string{"op-009"},
		},
		{
			name:    "team permission without operator claim sees team",
			c:       NewCaller("u", "tenant-alpha", []string{PermViewTeamOperators}, "", []string{"op-002"}),
			tenant:  "tenant-alpha",
			visible: []string{"op-002"},
			hidden:  []string{"op-001"},
		},
		{
			name:    "view-all sees every operator",
			c:       caller(PermViewAllOperators),
			tenant:  "tenant-alpha",
			visible: []string{"op-001", "op-009", "anyone"},
			hidden:  []string{""},
			all:     true,
		},
		{
			name:    "view-all in another tenant sees every operator",
			c:       caller(PermViewAllOperators, PermCrossTenantRead),
			tenant:  "tenant-beta",
			visible: []string{"op-001", "op-777"},
			all:     true,
		},
		{
			name:   "another tenant without view-all sees none",
			c:      caller(PermViewTeamOperators, PermCrossTenantRead),
			tenant: "tenant-beta",
			hidden: []string{"op-001", "op-002", "op-777"},
		},
		{
			name:    "narrowed view-all",
			c:       caller(PermViewAllOperators),
			tenant:  "tenant-alpha",
			narrow:  []string{"op-005", "op-006"},
			visible: []string{"op-005", "op-006"},
			hidden:  []string{"op-001", "op-007"},
		},
		{
			name:    "narrowed team",
			c:       caller(PermViewTeamOperators),
			tenant:  "tenant-alpha",
			narrow:  []string{"op-003", "op-009"},
			visible: []string{"op-003"},
			hidden:  []string{"op-001", "op-002", "op-009"},
		},
		{
			name:   "narrowing never widens",
			c:      caller(),
			tenant: "tenant-alpha",
			narrow: []string{"op-002"},
			hidden: []string{"op-001", "op-002"},
		},
		{
			name:    "caller literal without permission set",
			c:       Caller{TenantID: "tenant-alpha", Permissions: []string{PermViewTeamOperators}, TeamOperatorIDs: []string{"op-004"}},
			tenant:  "tenant-alpha",
			visible: []string{"op-004"},
			hidden:  []string{"op-001"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := NewVisibility(tt.c, tt.tenant, tt.narrow)
			for _, id := range tt.visible {
				if !v.CanSee(id) {
					t.Errorf("CanSee(%q) = false, want true", id)
				}
			}
			for _, id := range tt.hidden {
				if v.CanSee(id) {
					t.Errorf("CanSee(%q) = true, want false", id)
				}
			}
			if v.All() != tt.all {
				t.Errorf("All() = %v, want %v", v.All(), tt.all)
			}
		})
	}
}

func TestZeroVisibilitySeesNone(t *testing.T) {
	var v Visibility
	if v.CanSee("op-001") || v.All() || v.Len() != 0 {
		t.Fatal("zero Visibility sees something")
	}
}

func TestCanSeeDoesNotAllocate(t *testing.T) {
	v := NewVisibility(caller(PermViewTeamOperators), "tenant-alpha", nil)
	allocs := testing.AllocsPerRun(100, func() {
		v.CanSee("op-002")
		v.CanSee("op-404")
	})
	if allocs != 0 {
		t.Fatalf("CanSee allocates %.0f times per run", allocs)
	}
}

func BenchmarkCanSee(b *testing.B) {
	v := NewVisibility(caller(PermViewTeamOperators), "tenant-alpha", nil)
	for b.Loop() {
		v.CanSee("op-003")
	}
}
