package logical

import (
	"context"
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// TestFieldConversions: each field type converts what Vault's framework
// converts, with mapstructure's and parseutil's messages.
func TestFieldConversions(t *testing.T) {
	cases := []struct {
		typ  FieldType
		raw  any
		want any
		err  string
	}{
		{TypeString, json.Number("12"), "12", ""},
		{TypeString, true, "1", ""},
		{TypeString, []any{"a"}, nil, "'' expected type 'string', got unconvertible type '[]interface {}', value: '[a]'"},
		{TypeLowerCaseString, "MiXed", "mixed", ""},
		{TypeNameString, "bad name", nil, "field does not match the formatting rules"},
		{TypeBool, "true", true, ""},
		{TypeBool, "yes", nil, `cannot parse '' as bool: strconv.ParseBool: parsing "yes": invalid syntax`},
		{TypeInt, "42", 42, ""},
		{TypeInt, "x", nil, `cannot parse '' as int: strconv.ParseInt: parsing "x": invalid syntax`},
		{TypeDurationSecond, "1h", 3600, ""},
		{TypeDurationSecond, json.Number("90"), 90, ""},
		{TypeDurationSecond, "2d", 172800, ""},
		{TypeDurationSecond, json.Number("-5"), nil, "cannot provide negative value '-5'"},
		{TypeDurationSecond, json.Number("9300000000"), nil, "multiplication of durations resulted in overflow, one operand may be too large"},
		{TypeDurationSecond, json.Number("1e30"), nil, `time: unknown unit "e" in duration "1e30"`},
		{TypeSignedDurationSecond, "-1m", -60, ""},
		// parseutil splits a string and trims; it keeps empty entries and
		// does not split a list's items (consumers such as
		// policyutil.SanitizePolicies drop the empties).
		{TypeCommaStringSlice, "a, b,,c", []string{"a", "b", "", "c"}, ""},
		{TypeCommaStringSlice, []any{"a", " b,c"}, []string{"a", "b,c"}, ""},
		{TypeCommaStringSlice, "", []string{}, ""},
		{TypeMap, map[string]any{"a": "b"}, map[string]any{"a": "b"}, ""},
		{TypeMap, "x", nil, "'' expected a map, got 'string'"},
		{TypeKVPairs, []any{"a=b", "c=d=e"}, map[string]string{"a": "b", "c": "d=e"}, ""},
		{TypeKVPairs, map[string]any{"a": "b"}, map[string]string{"a": "b"}, ""},
		{TypeKVPairs, []any{"nope"}, nil, `invalid key pair "nope"`},
	}
	for _, c := range cases {
		d := &FieldData{Raw: map[string]any{"f": c.raw}, Schema: map[string]*FieldSchema{"f": {Type: c.typ}}}
		got, ok, err := d.GetOkErr("f")
		switch {
		case c.err != "":
			if err == nil || err.Error() != c.err {
				t.Errorf("%s %#v: err = %v, want %q", c.typ, c.raw, err, c.err)
			}
		case err != nil || !ok || !reflect.DeepEqual(got, c.want):
			t.Errorf("%s %#v = %#v, %v, %v; want %#v", c.typ, c.raw, got, ok, err, c.want)
		}
	}
}

// TestFieldDefaultsAndPrecedence: Get falls back to the default (converted
// to the type) or zero; GetFirst prefers the first name sent, as
// tokenutil prefers token_ttl over ttl.
func TestFieldDefaultsAndPrecedence(t *testing.T) {
	d := &FieldData{
		Raw: map[string]any{"ttl": "1h", "token_ttl": "2h", "null": nil},
		Schema: map[string]*FieldSchema{
			"ttl": {Type: TypeDurationSecond}, "token_ttl": {Type: TypeDurationSecond},
			"address": {Type: TypeString, Default: "https://app.terraform.io"}, "n": {Type: TypeInt, Default: "7"},
			"null": {Type: TypeString, Default: "d"}, "list": {Type: TypeCommaStringSlice},
		},
	}
	for i := 0; i < 20; i++ { // no map-order dependence
		if v, ok := d.GetFirst("token_ttl", "ttl"); !ok || v != 7200 {
			t.Fatalf("GetFirst = %v %v", v, ok)
		}
	}
	if d.String("address") != "https://app.terraform.io" || d.Int("n") != 7 || d.String("null") != "d" || d.Strings("list") == nil {
		t.Fatalf("defaults: %q %d %q %#v", d.String("address"), d.Int("n"), d.String("null"), d.Strings("list"))
	}
	if d.Sent("null") || !d.Sent("ttl") {
		t.Fatal("Sent: a null is not sent, a value is")
	}
}

// routerEnv is a router with a small table and what its handlers saw.
type routerEnv struct {
	r    *Router
	seen map[string]any
}

func newRouterEnv() *routerEnv {
	env := &routerEnv{seen: map[string]any{}}
	record := func(_ context.Context, req *Request, d *FieldData) (*Response, error) {
		env.seen["op"], env.seen["name"] = req.Operation, nil
		if _, ok := d.Schema["name"]; ok {
			env.seen["name"] = d.Get("name")
		}
		return &Response{Data: map[string]any{"ok": true}}, nil
	}
	env.r = NewRouter("backend help", nil,
		&Path{Pattern: `^role/?$`, Operations: map[Operation]OperationFunc{ListOperation: record}, HelpSynopsis: "list"},
		&Path{Pattern: `^role/(?P<name>\w+)$`, Fields: map[string]*FieldSchema{
			"name": {Type: TypeLowerCaseString, Description: "the name"}, "ttl": {Type: TypeDurationSecond, Description: "a ttl"}},
			Operations:     map[Operation]OperationFunc{ReadOperation: record, UpdateOperation: record},
			ExistenceCheck: func(context.Context, *Request, *FieldData) (bool, error) { return false, nil },
			HelpSynopsis:   "a role", HelpDescription: "Roles."},
	)
	return env
}

func (env *routerEnv) do(op Operation, path string, data map[string]any) (*Response, error) {
	if data == nil {
		data = map[string]any{}
	}
	return env.r.HandleRequest(context.Background(), &Request{Operation: op, Path: path, Data: data})
}

func TestRouterRoutes(t *testing.T) {
	env := newRouterEnv()
	if _, err := env.do(ReadOperation, "nothing", nil); err != ErrUnsupportedPath {
		t.Fatalf("unknown path: %v", err)
	}
	if _, err := env.do(DeleteOperation, "role/a", nil); err != ErrUnsupportedOperation {
		t.Fatalf("unknown operation: %v", err)
	}
	resp, err := env.do(CreateOperation, "role/ABC", map[string]any{"name": "x", "extra": 1})
	if err != nil || env.seen["op"] != CreateOperation || env.seen["name"] != "abc" {
		t.Fatalf("create falls back to update with the capture: %v %v", env.seen, err)
	}
	want := []string{"Endpoint ignored these unrecognized parameters: [extra]",
		"Endpoint replaced the value of these parameters with the values captured from the endpoint's path: [name]"}
	if !reflect.DeepEqual(resp.Warnings, want) {
		t.Fatalf("warnings = %q", resp.Warnings)
	}
	resp, _ = env.do(UpdateOperation, "role/a", map[string]any{"ttl": "soon"})
	if !resp.IsError() || resp.Error() != `Field validation failed: error converting input for field "ttl": time: invalid duration "soon"` {
		t.Fatalf("validation = %v", resp.Data)
	}
	if _, err := env.do(ListOperation, "role/", nil); err != nil || env.seen["op"] != ListOperation {
		t.Fatalf("list: %v", err)
	}
	found, exists, err := env.r.ExistenceCheck(context.Background(), &Request{Path: "role/a", Data: map[string]any{"ttl": "x"}})
	if !found || exists || err == nil || !strings.HasPrefix(err.Error(), `error converting input for field "ttl"`) {
		t.Fatalf("existence check = %v %v %v", found, exists, err)
	}
	if _, ok := err.(UserError); !ok {
		t.Fatalf("existence check error %T, want UserError", err)
	}
}

func TestRouterHelp(t *testing.T) {
	env := newRouterEnv()
	resp, err := env.do(ReadOperation, "role/x", map[string]any{"help": "1"})
	if err != nil || !resp.IsRaw() {
		t.Fatalf("help = %v %v", resp, err)
	}
	var doc struct{ Help string }
	if err := json.Unmarshal(resp.Data[HTTPRawBody].([]byte), &doc); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Request:        role/x", `Matching Route: ^role/(?P<name>\w+)$`, "a role",
		"    name (lowercase string)\n\n        the name", "    ttl (duration (sec))\n\n        a ttl", "Roles."} {
		if !strings.Contains(doc.Help, want) {
			t.Errorf("help lacks %q:\n%s", want, doc.Help)
		}
	}
	resp, _ = env.do(ReadOperation, "", map[string]any{"help": "1"})
	_ = json.Unmarshal(resp.Data[HTTPRawBody].([]byte), &doc)
	if !strings.Contains(doc.Help, "backend help") || !strings.Contains(doc.Help, "    ^role/?$\n        list") {
		t.Fatalf("root help:\n%s", doc.Help)
	}
	if resp, _ := NewRouter("", nil, &Path{Pattern: "^x$", Operations: map[Operation]OperationFunc{
		ReadOperation: func(context.Context, *Request, *FieldData) (*Response, error) {
			return &Response{Data: map[string]any{"x": 1}}, nil
		},
	}}).WithoutHelp().HandleRequest(context.Background(), &Request{Operation: ReadOperation, Path: "x", Data: map[string]any{"help": "1"}}); resp.IsRaw() {
		t.Fatal("a router without help answered help")
	}
}

// TestLiteralPrefix checks the text the router compares before running a
// path's regexp: only what every match must start with.
func TestLiteralPrefix(t *testing.T) {
	cases := []struct{ pattern, want string }{
		{`^creds/(?P<name>\w(([\w-.]+)?\w)?)$`, "creds/"},
		{`^config$`, "config"},
		{`^role/?$`, "role"},
		{`^abc?$`, "ab"},
		{`^(?i)abc$`, ""},
		{`creds/x`, ""}, // not anchored: a match may start anywhere
		{`^a|^b`, ""},
		{`^(?P<name>.+)/x$`, ""},
		{`^keys/(?P<k>.*)`, "keys/"},
	}
	for _, c := range cases {
		if got := literalPrefix(c.pattern); got != c.want {
			t.Errorf("literalPrefix(%q) = %q, want %q", c.pattern, got, c.want)
		}
	}
}

// TestGenericNameMatchIsTheRegexp compares the hand matcher of
// GenericNameRegex paths with the regexp on every short name over an
// alphabet of word and other characters, and on a few longer ones.
func TestGenericNameMatchIsTheRegexp(t *testing.T) {
	const pattern = `^creds/(?P<name>\w(([\w-.]+)?\w)?)$`
	if !isGenericName(pattern, literalPrefix(pattern)) {
		t.Fatal("the terraform engine's creds pattern is not recognized")
	}
	for _, p := range []string{`^creds/(?P<name>.+)$`, `^creds/(?P<name>\w(([\w-.]+)?\w)?)/x$`, `creds/(?P<name>\w(([\w-.]+)?\w)?)$`} {
		if isGenericName(p, literalPrefix(p)) {
			t.Errorf("%s taken for a generic name", p)
		}
	}
	re := regexp.MustCompile(pattern)
	alphabet := []string{"a", "Z", "0", "_", "-", ".", "/", " ", "é", "\n"}
	names := []string{"", "my-role.v2_x", "-a", "a-", "a..b", strings.Repeat("x", 300)}
	var grow func(prefix string, depth int)
	grow = func(prefix string, depth int) {
		names = append(names, prefix)
		if depth == 0 {
			return
		}
		for _, c := range alphabet {
			grow(prefix+c, depth-1)
		}
	}
	grow("", 4)
	for _, name := range names {
		path := "creds/" + name
		if got, want := matchGenericName(path, "creds/", new([4]string)), re.FindStringSubmatch(path); !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: got %q, the regexp %q", path, got, want)
		}
	}
}

// TestCapturesOverData checks the path's captures against the data they
// sit beside: a capture wins over a field of its name (and is what
// validation converts), the later of a repeated name wins, both count as
// replaced, and Value and Sent see captures and data alike.
func TestCapturesOverData(t *testing.T) {
	var seen *FieldData
	record := func(_ context.Context, _ *Request, d *FieldData) (*Response, error) {
		seen = d
		return &Response{Data: map[string]any{"ok": true}}, nil
	}
	r := NewRouter("", nil,
		&Path{Pattern: `^n/(?P<n>.+)$`, Fields: map[string]*FieldSchema{"n": {Type: TypeNameString}},
			Operations: map[Operation]OperationFunc{UpdateOperation: record}},
		&Path{Pattern: `^two/(?P<a>\w+)/(?P<a>\w+)$`, Fields: map[string]*FieldSchema{"a": {Type: TypeLowerCaseString}, "b": {Type: TypeInt}},
			Operations: map[Operation]OperationFunc{UpdateOperation: record}},
	)
	do := func(path string, data map[string]any) *Response {
		resp, err := r.HandleRequest(context.Background(), &Request{Operation: UpdateOperation, Path: path, Data: data})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return resp
	}
	if resp := do("n/bad name", map[string]any{"n": "good"}); resp.Error() != `Field validation failed: error converting input for field "n": field does not match the formatting rules` {
		t.Fatalf("the capture was not validated: %v", resp.Data)
	}
	resp := do("two/X/Y", map[string]any{"b": "7", "c": nil})
	if seen.String("a") != "y" || seen.Int("b") != 7 || !seen.Sent("a") || seen.Sent("c") || seen.Sent("d") {
		t.Fatalf("fields: a %q, b %d, sent a %v c %v d %v", seen.String("a"), seen.Int("b"), seen.Sent("a"), seen.Sent("c"), seen.Sent("d"))
	}
	if v, ok := seen.Value("a"); v != "Y" || !ok {
		t.Fatalf("Value(a) = %v %v", v, ok)
	}
	if v, ok := seen.Value("c"); v != nil || !ok {
		t.Fatalf("Value(c) = %v %v", v, ok)
	}
	want := []string{"Endpoint ignored these unrecognized parameters: [c]",
		"Endpoint replaced the value of these parameters with the values captured from the endpoint's path: [a]"}
	if !reflect.DeepEqual(resp.Warnings, want) {
		t.Fatalf("warnings = %q", resp.Warnings)
	}
	if resp := do("two/a/b", map[string]any{"b": "x"}); !resp.IsError() {
		t.Fatal("a bad field beside captures passed validation")
	}
}
