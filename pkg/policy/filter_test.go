package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"strings"
	"testing"
)

func TestFilterOperatorMap(t *testing.T) {
	in := map[string]float64{"op-001": 1, "op-002": 2, "op-009": 9}
	tests := []struct {
		name string
		v    Visibility
		want map[string]float64
	}{
		{"own operator", NewVisibility(caller(), "tenant-alpha", nil),
			map[string]float64{"op-001": 1}},
		{"team", NewVisibility(caller(PermViewTeamOperators), "tenant-alpha", nil),
			map[string]float64{"op-001": 1, "op-002": 2}},
		{"all", NewVisibility(caller(PermViewAllOperators), "tenant-alpha", nil), in},
		{"all narrowed", NewVisibility(caller(PermViewAllOperators), "tenant-alpha", []string{"op-009"}),
			map[string]float64{"op-009": 9}},
		{"another tenant", NewVisibility(caller(PermCrossTenantRead), "tenant-beta", nil),
			map[string]float64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := maps.Clone(in)
			FilterOperatorMap(m, tt.v)
			if !maps.Equal(m, tt.want) {
				t.Fatalf("got %v, want %v", m, tt.want)
			}
		})
	}
}

func TestStripOperatorFields(t *testing.T) {
	own := NewVisibility(caller(), "tenant-alpha", nil)
	all := NewVisibility(caller(PermViewAllOperators), "tenant-alpha", nil)

	tests := []struct {
		name string
		in   string
		v    Visibility
		want string // "" means raw unchanged
	}{
		{"visible", `{"id":"e1","operatorId":"op-001","operatorName":"Alice"}`, own, ""},
		{"invisible", `{"id":"e1","operatorId":"op-002","operatorName":"Bob","severity":"high"}`, own,
			`{"id":"e1","severity":"high"}`},
		{"order and spacing of values kept", `{ "b" : [1, 2] , "operatorId":"op-002", "a" : {"x": "}"} }`, own,
			`{"b" : [1, 2],"a" : {"x": "}"}}`},
		{"only operator fields", `{"operatorId":"op-002","operatorName":"Bob"}`, own, `{}`},
		{"no operator", `{"id":"e1","severity":"low"}`, own, ""},
		{"empty object", `{}`, own, ""},
		{"name without id", `{"id":"e1","operatorName":"Bob"}`, own, `{"id":"e1"}`},
		{"name without id, view-all", `{"id":"e1","operatorName":"Bob"}`, all, ""},
		{"null id", `{"id":"e1","operatorId":null}`, own, `{"id":"e1"}`},
		{"numeric id", `{"operatorId":1,"id":"e1"}`, all, ""},
		{"numeric id not visible", `{"operatorId":1,"id":"e1"}`, own, `{"id":"e1"}`},
		{"escaped visible id", `{"operatorId":"op\u002d001","x":1}`, own, ""},
		{"escaped key", `{"operator\u0049d":"op-002","x":1}`, own, `{"x":1}`},
		{"case variant key", `{"OPERATORID":"op-002","OperatorName":"Bob","x":1}`, own, `{"x":1}`},
		{"repeated id, one invisible", `{"operatorId":"op-001","operatorId":"op-002","x":1}`, own, `{"x":1}`},
		{"nested operatorId untouched", `{"payload":{"operatorId":"op-002"},"operatorId":"op-001"}`, own, ""},
		{"nested kept when stripping", `{"payload":{"operatorId":"op-002"},"operatorId":"op-002"}`, own,
			`{"payload":{"operatorId":"op-002"}}`},
		{"view-all", `{"operatorId":"op-777","operatorName":"Zed"}`, all, ""},
		{"zero visibility", `{"operatorId":"op-001","n":-1.5e3,"t":true}`, Visibility{}, `{"n":-1.5e3,"t":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := StripOperatorFields([]byte(tt.in), tt.v)
			if err != nil {
				t.Fatalf("StripOperatorFields: %v", err)
			}
			want := tt.want
			if want == "" {
				want = tt.in
			}
			if string(got) != want {
				t.Fatalf("got  %s\nwant %s", got, want)
			}
			if !json.Valid(got) {
				t.Fatalf("output is not valid JSON: %s", got)
			}
		})
	}
}

func TestStripOperatorFieldsRejects(t *testing.T) {
	for _, in := range []string{``, `[]`, `"x"`, `12`, `{"a":}`, `{"a":1`, `null`} {
		t.Run(in, func(t *testing.T) {
			_, err := StripOperatorFields([]byte(in), Visibility{})
			if !errors.Is(err, ErrInvalidEvent) {
				t.Fatalf("error = %v, want ErrInvalidEvent", err)
			}
		})
	}
}

func FuzzStripOperatorFields(f *testing.F) {
	for _, seed := range []string{
		`{"id":"e1","operatorId":"op-001","operatorName":"Alice"}`,
		`{"id":"e1","operatorId":"op-002","operatorName":"Bob","payload":{"a":[1,2,{"b":"}"}]}}`,
		`{"operatorName":"Bob"}`,
		`{"operator\u0049d":"op-002"}`,
		` { "a" : "\"" , "operatorId" : null } `,
		`{}`,
		`[]`,
		`{"a":`,
		`{"operatorId":"op-002","operatorId":"op-001"}`,
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	f.Fuzz(func(t *testing.T, raw []byte, team bool) {
		var v Visibility
		if team {
			v = NewVisibility(caller(PermViewTeamOperators), "tenant-alpha", nil)
		} else {
			v = NewVisibility(caller(), "tenant-alpha", nil)
		}

		out, err := StripOperatorFields(raw, v)
		if err != nil {
			if !errors.Is(err, ErrInvalidEvent) {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		if !json.Valid(out) {
			t.Fatalf("invalid output %q from %q", out, raw)
		}

		var before, after map[string]any
		if err := json.Unmarshal(raw, &before); err != nil {
			t.Fatalf("valid input did not decode: %v", err)
		}
		if err := json.Unmarshal(out, &after); err != nil {
			t.Fatalf("output did not decode: %v", err)
		}
		if bytes.Equal(out, raw) {
			// Kept as is: any operator named must be visible.
			hasID := false
			for k, val := range before {
				if strings.EqualFold(k, "operatorId") {
					hasID = true
					if id, ok := val.(string); !ok || !v.CanSee(id) {
						t.Fatalf("invisible operator kept in %s", out)
					}
				}
			}
			for k := range before {
				if strings.EqualFold(k, "operatorName") && !hasID {
					t.Fatalf("unattributed operatorName kept in %s", out)
				}
			}
			return
		}

		// Something was dropped: no operator field may remain, and all
		// other members must be unchanged.
		for k, val := range before {
			isOp := strings.EqualFold(k, "operatorId") || strings.EqualFold(k, "operatorName")
			got, kept := after[k]
			switch {
			case isOp && kept:
				t.Fatalf("operator field %q kept in %s", k, out)
			case !isOp && (!kept || !reflect.DeepEqual(got, val)):
				t.Fatalf("member %q changed: %v -> %v", k, val, got)
			}
		}
		if len(after) > len(before) {
			t.Fatalf("members added: %s", out)
		}
	})
}

func BenchmarkStripOperatorFields(b *testing.B) {
	raw := []byte(`{"id":"e1","type":"assigned","operatorId":"op-002","operatorName":"Bob","payload":{"taskId":"t1"}}`)
	v := NewVisibility(caller(), "tenant-alpha", nil)
	for b.Loop() {
		if _, err := StripOperatorFields(raw, v); err != nil {
			b.Fatal(err)
		}
	}
}
