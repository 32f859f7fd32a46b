package consumer

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestValidJSONAgreesWithEncodingJSON(t *testing.T) {
	cases := []string{
		``, ` `, `{}`, `[]`, `{"a":1}`, `{"a":1,}`, `{"a" 1}`, `{a:1}`, `[1,2,]`, `[01]`, `[-0]`, `[-]`,
		`[1.]`, `[1.5e]`, `[1.5e+3]`, `[1E-2]`, `"x"`, `"\u00e9"`, `"\u00g9"`, `"\x"`, "\"a\tb\"", `"\/"`,
		`true`, `tru`, `nul`, `null `, `{"a":{"b":[true,false,null]}}`, `{"a":1} {}`, `{"a":"}"}`,
		strings.Repeat("[", 10001) + strings.Repeat("]", 10001), strings.Repeat("[", 100) + strings.Repeat("]", 100),
		"\"\xff\xfe\"", `{"a":1}x`, `  {"a" : [ 1 , "2" ] }  `,
	}
	for _, c := range cases {
		if got, want := validJSON([]byte(c)), json.Valid([]byte(c)); got != want {
			t.Errorf("validJSON(%.40q) = %v, encoding/json says %v", c, got, want)
		}
	}
}

func FuzzValidJSON(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":[1,-2.5e3,"x\n",true,null]}`, `[1,`, `"\u12"`, `{"a":1}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := validJSON(b), json.Valid(b); got != want {
			t.Fatalf("validJSON = %v, encoding/json.Valid = %v", got, want)
		}
	})
}
