package logical

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/go-secure-stdlib/parseutil"
	"github.com/mitchellh/mapstructure"
	"github.com/tfcemu/tfcemu/internal/lazyre"
)

// FieldType is a field's type in a path's schema, as Vault's
// sdk/framework names them.
type FieldType int

// The field types the emulated backends use.
const (
	TypeString FieldType = iota + 1
	TypeLowerCaseString
	TypeNameString
	TypeInt
	TypeInt64
	TypeBool
	TypeMap
	TypeKVPairs
	TypeDurationSecond
	TypeSignedDurationSecond
	TypeSlice
	TypeStringSlice
	TypeCommaStringSlice
)

// String is the type's name as path-help shows it.
func (t FieldType) String() string {
	switch t {
	case TypeString:
		return "string"
	case TypeLowerCaseString:
		return "lowercase string"
	case TypeNameString:
		return "name string"
	case TypeInt:
		return "int"
	case TypeInt64:
		return "int64"
	case TypeBool:
		return "bool"
	case TypeMap:
		return "map"
	case TypeKVPairs:
		return "keypair"
	case TypeDurationSecond, TypeSignedDurationSecond:
		return "duration (sec)"
	case TypeSlice, TypeStringSlice, TypeCommaStringSlice:
		return "slice"
	}
	return "unknown type"
}

// zero is the type's zero value, as FieldType.Zero gives it.
func (t FieldType) zero() any {
	switch t {
	case TypeString, TypeLowerCaseString, TypeNameString:
		return ""
	case TypeInt, TypeDurationSecond, TypeSignedDurationSecond:
		return 0
	case TypeInt64:
		return int64(0)
	case TypeBool:
		return false
	case TypeMap:
		return map[string]any{}
	case TypeKVPairs:
		return map[string]string{}
	case TypeSlice:
		return []any{}
	case TypeStringSlice, TypeCommaStringSlice:
		return []string{}
	}
	return nil
}

// FieldSchema is one field of a path: its type, default and description.
type FieldSchema struct {
	Type        FieldType
	Default     any
	Description string
	Required    bool
	Deprecated  bool
}

// DefaultOrZero is the field's default converted to its type, else the
// type's zero value.
func (s *FieldSchema) DefaultOrZero() any {
	if s.Default != nil {
		if v, err := convert(s.Type, s.Default); err == nil {
			return v
		}
	}
	return s.Type.zero()
}

// FieldData is a request's data read through a path's schema (Vault's
// framework.FieldData): the URL's captures take priority over the body.
type FieldData struct {
	// Raw is the request's data (its body or query). The path's captures
	// are kept beside it, not copied in: Value reads both.
	Raw    map[string]any
	Schema map[string]*FieldSchema
	// captures are the path's named captures in the pattern's order (a
	// later one of a repeated name wins), in capBuf when they fit.
	captures []capture
	capBuf   [2]capture
}

// capture is one named capture of the request's path.
type capture struct{ name, value string }

// Value is what the request gave for k: the path's capture of that name,
// else the data's value; ok is false when neither has it.
func (d *FieldData) Value(k string) (any, bool) {
	if s, ok := d.captured(k); ok {
		return s, true
	}
	v, ok := d.Raw[k]
	return v, ok
}

// captured is the path's last capture named k.
func (d *FieldData) captured(k string) (string, bool) {
	for i := len(d.captures) - 1; i >= 0; i-- {
		if d.captures[i].name == k {
			return d.captures[i].value, true
		}
	}
	return "", false
}

// Validate converts every sent field that the schema knows and reports
// the first (in name order) that fails, as "error converting input for
// field ...".
func (d *FieldData) Validate() error {
	var stack [8]string
	names := stack[:0]
	for k := range d.Raw {
		if _, ok := d.captured(k); !ok {
			names = append(names, k)
		}
	}
	for i, c := range d.captures {
		if !slices.ContainsFunc(d.captures[i+1:], func(l capture) bool { return l.name == c.name }) {
			names = append(names, c.name)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		schema, ok := d.Schema[k]
		if !ok {
			continue
		}
		var err error
		switch schema.Type {
		case TypeString, TypeLowerCaseString, TypeNameString:
			if c, ok := d.captured(k); ok {
				_, err = stringOf(schema.Type, c) // the capture, not boxed
			} else {
				_, err = convertString(schema.Type, d.Raw[k])
			}
		default:
			raw, _ := d.Value(k)
			_, err = convert(schema.Type, raw)
		}
		if err != nil {
			return fmt.Errorf("error converting input for field %q: %w", k, err)
		}
	}
	return nil
}

// GetOkErr reads field k: its converted value, whether it was sent (a
// JSON null counts as not sent), and a conversion error.
func (d *FieldData) GetOkErr(k string) (any, bool, error) {
	schema, ok := d.Schema[k]
	if !ok {
		return nil, false, fmt.Errorf("unknown field: %q", k)
	}
	raw, ok := d.Value(k)
	if !ok || raw == nil {
		return nil, false, nil
	}
	v, err := convert(schema.Type, raw)
	if err != nil {
		return nil, false, err
	}
	return v, true, nil
}

// GetOk reads field k; unknown or unconvertible fields are not sent.
func (d *FieldData) GetOk(k string) (any, bool) {
	v, ok, err := d.GetOkErr(k)
	if err != nil {
		return nil, false
	}
	return v, ok
}

// Get reads field k, its default or zero value when not sent. It panics
// on a field the schema does not have, as Vault's does.
func (d *FieldData) Get(k string) any {
	schema, ok := d.Schema[k]
	if !ok {
		panic(fmt.Sprintf("field %s not in the schema", k))
	}
	if v, ok := d.GetOk(k); ok {
		return v
	}
	return schema.DefaultOrZero()
}

// GetFirst reads the first of the fields that was sent: a current name
// and then its deprecated ones.
func (d *FieldData) GetFirst(k ...string) (any, bool) {
	for _, name := range k {
		if v, ok := d.GetOk(name); ok {
			return v, true
		}
	}
	return nil, false
}

// Sent reports whether field k was sent with a value.
func (d *FieldData) Sent(k string) bool {
	v, ok := d.Value(k)
	return ok && v != nil
}

// String, Bool, Int, Duration and Strings are typed Gets.
func (d *FieldData) String(k string) string {
	if schema, ok := d.Schema[k]; ok {
		switch schema.Type {
		case TypeString, TypeLowerCaseString, TypeNameString:
			// Get without boxing the string: the value sent if it
			// converts, else the default or zero.
			if c, ok := d.captured(k); ok {
				if s, err := stringOf(schema.Type, c); err == nil {
					return s
				}
			} else if raw := d.Raw[k]; raw != nil {
				if s, err := convertString(schema.Type, raw); err == nil {
					return s
				}
			}
		}
	}
	s, _ := d.Get(k).(string)
	return s
}

// Bool reads a TypeBool field.
func (d *FieldData) Bool(k string) bool { b, _ := d.Get(k).(bool); return b }

// Int reads a TypeInt or duration field (durations in seconds).
func (d *FieldData) Int(k string) int { n, _ := d.Get(k).(int); return n }

// Strings reads a slice field.
func (d *FieldData) Strings(k string) []string { s, _ := d.Get(k).([]string); return s }

// convert is getPrimitive: mapstructure's weak decoding and parseutil's
// parsers, with their messages.
func convert(t FieldType, raw any) (any, error) {
	switch t {
	case TypeString, TypeLowerCaseString, TypeNameString:
		s, err := convertString(t, raw)
		if err != nil {
			return nil, err
		}
		return s, nil
	case TypeInt:
		var n int
		if err := mapstructure.WeakDecode(raw, &n); err != nil {
			return nil, err
		}
		return n, nil
	case TypeInt64:
		var n int64
		if err := mapstructure.WeakDecode(raw, &n); err != nil {
			return nil, err
		}
		return n, nil
	case TypeBool:
		var b bool
		if err := mapstructure.WeakDecode(raw, &b); err != nil {
			return nil, err
		}
		return b, nil
	case TypeMap:
		var m map[string]any
		if err := mapstructure.WeakDecode(raw, &m); err != nil {
			return nil, err
		}
		return m, nil
	case TypeKVPairs:
		var m map[string]string
		if err := mapstructure.WeakDecode(raw, &m); err == nil {
			return m, nil
		}
		var list []string
		if err := mapstructure.WeakDecode(raw, &list); err != nil {
			return nil, err
		}
		m = make(map[string]string, len(list))
		for _, kv := range list {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				return nil, fmt.Errorf("invalid key pair %q", kv)
			}
			m[k] = v
		}
		return m, nil
	case TypeDurationSecond, TypeSignedDurationSecond:
		dur, err := parseutil.ParseDurationSecond(raw)
		if err != nil {
			return nil, err
		}
		n := int(dur.Seconds())
		if t == TypeDurationSecond && n < 0 {
			return nil, fmt.Errorf("cannot provide negative value '%d'", n)
		}
		return n, nil
	case TypeSlice:
		var list []any
		if err := mapstructure.WeakDecode(raw, &list); err != nil {
			return nil, err
		}
		if list == nil {
			list = []any{}
		}
		return list, nil
	case TypeStringSlice:
		if s, ok := raw.(string); ok && s == "" {
			return []string{}, nil
		}
		var list []string
		if err := mapstructure.WeakDecode(raw, &list); err != nil {
			return nil, err
		}
		out := make([]string, 0, len(list))
		for _, s := range list {
			out = append(out, strings.TrimSpace(s))
		}
		return out, nil
	case TypeCommaStringSlice:
		return parseutil.ParseCommaStringSlice(raw)
	}
	return nil, fmt.Errorf("unknown field type %q", t)
}

// convertString is convert of a string type, without boxing the result.
func convertString(t FieldType, raw any) (string, error) {
	s, ok := raw.(string) // what weak decoding makes of a string
	if !ok {
		var decoded string
		if err := mapstructure.WeakDecode(raw, &decoded); err != nil {
			return "", err
		}
		s = decoded
	}
	return stringOf(t, s)
}

// stringOf is convertString of a string.
func stringOf(t FieldType, s string) (string, error) {
	switch t {
	case TypeLowerCaseString:
		s = strings.ToLower(s)
	case TypeNameString:
		if !nameString.MatchString(s) {
			return "", errors.New("field does not match the formatting rules")
		}
	}
	return s, nil
}

var nameString = lazyre.New(`^\w(([\w-.]+)?\w)?$`)

// OperationFunc serves one operation on a path.
type OperationFunc func(ctx context.Context, req *Request, d *FieldData) (*Response, error)

// ExistenceFunc reports whether the entry a write names exists: a write
// to a missing entry is a create, else an update.
type ExistenceFunc func(ctx context.Context, req *Request, d *FieldData) (bool, error)

// Path is one row of a backend's path table (Vault's framework.Path): an
// anchored regexp, the fields' schema, a handler per operation, an
// optional existence check, and the help texts path-help renders.
type Path struct {
	Pattern         string
	Fields          map[string]*FieldSchema
	Operations      map[Operation]OperationFunc
	ExistenceCheck  ExistenceFunc
	HelpSynopsis    string
	HelpDescription string
	// TakesArbitraryInput turns off the warning about unknown fields.
	TakesArbitraryInput bool
	// NoValidate leaves field errors to the handler, for paths whose
	// fields the core already validated in their existence check.
	NoValidate bool
}

// Router is a backend's path table compiled once, on its first use (a
// backend is made at start-up, and most are never asked): the first path
// whose pattern matches a request serves it, as in Vault's framework.
type Router struct {
	help     string
	paths    []*Path
	helpOnly []PathHelp
	docs     func() map[string]json.RawMessage
	noHelp   bool

	once sync.Once
	t    *table
}

// table is a Router's paths compiled.
type table struct {
	res []*regexp.Regexp
	// prefixes are the literal text each path's matches start with, a
	// check far cheaper than running its regexp; generic marks the paths
	// that are their prefix and a GenericNameRegex capture, matched by
	// hand (matchGenericName).
	prefixes []string
	generic  []bool
	// helpTable is the table as path-help knows it, with the paths the
	// help lists but the emulator does not serve, each pattern compiled.
	helpTable []PathHelp
	helpRes   []*regexp.Regexp
}

// WithoutHelp makes help requests ordinary reads (the core's own
// backends do not answer path-help in the emulator).
func (r *Router) WithoutHelp() *Router {
	r.noHelp = true
	return r
}

// NewRouter returns the router of paths, compiled on first use; help is
// the backend's help text and docs its OpenAPI documents for path-help
// (keyed by pattern, "" for the backend; nil for none), read on the first
// help request. A pattern that does not compile is a programming error: it
// panics.
func NewRouter(help string, docs func() map[string]json.RawMessage, paths ...*Path) *Router {
	return &Router{help: help, paths: paths, docs: docs}
}

// WithHelpOnly adds paths that path-help lists but no request is served
// on (they answer "unsupported path" as before). It is part of making the
// router, before its first use.
func (r *Router) WithHelpOnly(h ...PathHelp) *Router {
	r.helpOnly = append(r.helpOnly, h...)
	return r
}

// table compiles the paths on the first call.
func (r *Router) table() *table {
	r.once.Do(func() {
		t := &table{}
		for _, p := range r.paths {
			re := regexp.MustCompile(p.Pattern)
			prefix := literalPrefix(p.Pattern)
			t.res, t.prefixes = append(t.res, re), append(t.prefixes, prefix)
			t.generic = append(t.generic, isGenericName(p.Pattern, prefix))
			h := PathHelp{Route: p.Pattern, Synopsis: p.HelpSynopsis, Description: p.HelpDescription}
			for name, f := range p.Fields {
				h.Fields = append(h.Fields, HelpField{Name: name, Type: f.Type.String(), Description: f.Description, Deprecated: f.Deprecated})
			}
			t.helpTable, t.helpRes = append(t.helpTable, h), append(t.helpRes, re)
		}
		for _, p := range r.helpOnly {
			t.helpTable, t.helpRes = append(t.helpTable, p), append(t.helpRes, regexp.MustCompile(p.Route))
		}
		r.t = t
	})
	return r.t
}

// Paths is the table in its order.
func (r *Router) Paths() []*Path { return r.paths }

// Match returns the first path whose pattern matches, with its named
// captures.
func (r *Router) Match(path string) (*Path, map[string]string) {
	var buf [4]string
	i, m := r.match(path, &buf)
	if i < 0 {
		return nil, nil
	}
	captures := map[string]string{}
	for j, name := range r.table().res[i].SubexpNames() {
		if name != "" {
			captures[name] = m[j]
		}
	}
	return r.paths[i], captures
}

// match is the index of the first path whose pattern matches, with the
// submatches (in buf when a GenericNameRegex path matched), or -1.
func (r *Router) match(path string, buf *[4]string) (int, []string) {
	t := r.table()
	for i, re := range t.res {
		if !strings.HasPrefix(path, t.prefixes[i]) {
			continue
		}
		if t.generic[i] {
			if m := matchGenericName(path, t.prefixes[i], buf); m != nil {
				return i, m
			}
			continue
		}
		if m := re.FindStringSubmatch(path); m != nil {
			return i, m
		}
	}
	return -1, nil
}

// literalPrefix is the literal text every match of an anchored pattern
// begins with ("creds/" of ^creds/(?P<name>...)$), "" if it has none or
// is not anchored at the start.
func literalPrefix(pattern string) string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil || re.Op != syntax.OpConcat || len(re.Sub) == 0 || re.Sub[0].Op != syntax.OpBeginText {
		return ""
	}
	var b strings.Builder
	for _, sub := range re.Sub[1:] {
		if sub.Op != syntax.OpLiteral || sub.Flags&syntax.FoldCase != 0 {
			break
		}
		b.WriteString(string(sub.Rune))
	}
	return b.String()
}

// genericNameTail ends a pattern whose last part is Vault's
// framework.GenericNameRegex(name), after the capture's name: one or more
// word characters, '-' and '.', the first and last a word character.
const genericNameTail = `>\w(([\w-.]+)?\w)?)$`

// isGenericName reports whether pattern is ^, its literal prefix and a
// GenericNameRegex capture to its end.
func isGenericName(pattern, prefix string) bool {
	rest, ok := strings.CutPrefix(pattern, "^"+prefix+"(?P<")
	if !ok {
		return false
	}
	name, ok := strings.CutSuffix(rest, genericNameTail)
	return ok && name != "" && !strings.ContainsAny(name, "<>()\\")
}

// matchGenericName is what FindStringSubmatch returns for such a pattern
// on path, which starts with its prefix: the whole path, the name and
// the regexp's two inner groups (in buf), or nil.
func matchGenericName(path, prefix string, buf *[4]string) []string {
	name := path[len(prefix):]
	n := len(name)
	if n == 0 || !isWordByte(name[0]) || !isWordByte(name[n-1]) {
		return nil
	}
	for i := 1; i < n-1; i++ {
		if c := name[i]; !isWordByte(c) && c != '-' && c != '.' {
			return nil
		}
	}
	*buf = [4]string{path, name, "", ""}
	m := buf[:]
	if n > 1 {
		m[2], m[3] = name[1:], name[1:n-1]
	}
	return m
}

// isWordByte is regexp's \w: an ASCII letter, digit or '_'.
func isWordByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

// fieldData is the request's data with the path's captures (names[i]
// captured m[i]) over it, and the names of the data's fields a capture
// replaced, sorted.
func fieldData(p *Path, req *Request, names, m []string) (*FieldData, []string) {
	d := &req.fields
	*d = FieldData{Raw: req.Data, Schema: p.Fields}
	d.captures = d.capBuf[:0]
	var replaced []string
	for i, k := range names {
		if k == "" {
			continue
		}
		if _, earlier := d.captured(k); earlier || req.Data[k] != nil {
			replaced = append(replaced, k)
		}
		d.captures = append(d.captures, capture{name: k, value: m[i]})
	}
	sort.Strings(replaced)
	return d, replaced
}

// HandleRequest is the framework's: help, routing, an unsupported
// operation, field validation ("Field validation failed: ..."), the
// handler, then warnings about unknown and replaced fields.
func (r *Router) HandleRequest(ctx context.Context, req *Request) (*Response, error) {
	if _, help := req.Data["help"]; help && req.Operation == ReadOperation && !r.noHelp {
		return r.Help(req.Path)
	}
	var buf [4]string
	i, m := r.match(req.Path, &buf)
	if i < 0 {
		return nil, ErrUnsupportedPath
	}
	p := r.paths[i]
	op := req.Operation
	fn := p.Operations[op]
	if fn == nil && op == CreateOperation {
		fn = p.Operations[UpdateOperation]
	}
	if fn == nil {
		return nil, ErrUnsupportedOperation
	}
	d, replaced := fieldData(p, req, r.table().res[i].SubexpNames(), m)
	if !p.NoValidate {
		if err := d.Validate(); err != nil {
			return ErrorResponse("Field validation failed: %s", err), nil
		}
	}
	resp, err := fn(ctx, req, d)
	if err != nil || resp == nil {
		return resp, err
	}
	if !p.TakesArbitraryInput {
		var ignored []string
		for k := range req.Data {
			if _, ok := p.Fields[k]; !ok {
				ignored = append(ignored, k)
			}
		}
		if len(ignored) > 0 {
			sort.Strings(ignored)
			resp.Warnings = append(resp.Warnings, fmt.Sprintf("Endpoint ignored these unrecognized parameters: %v", ignored))
		}
	}
	if len(replaced) > 0 {
		resp.Warnings = append(resp.Warnings, fmt.Sprintf("Endpoint replaced the value of these parameters with the values captured from the endpoint's path: %v", replaced))
	}
	return resp, nil
}

// UserError is a client's mistake found outside a handler (an existence
// check's field validation): a 400 with the bare message.
type UserError struct{ Err string }

func (e UserError) Error() string { return e.Err }

// ExistenceCheck is HandleExistenceCheck: found reports whether the path
// has a check; a field that does not convert is a UserError.
func (r *Router) ExistenceCheck(ctx context.Context, req *Request) (found, exists bool, err error) {
	var buf [4]string
	i, m := r.match(req.Path, &buf)
	if i < 0 || r.paths[i].ExistenceCheck == nil {
		return false, false, nil
	}
	p := r.paths[i]
	d, _ := fieldData(p, req, r.table().res[i].SubexpNames(), m)
	if err := d.Validate(); err != nil {
		return true, false, UserError{Err: err.Error()}
	}
	exists, err = p.ExistenceCheck(ctx, req, d)
	return true, exists, err
}

// Help renders path-help for a path inside the mount ("" for the
// backend), from the table's own fields and texts.
func (r *Router) Help(path string) (*Response, error) {
	var docs map[string]json.RawMessage
	if r.docs != nil {
		docs = r.docs()
	}
	t := r.table()
	return Help(r.help, t.helpTable, t.helpRes, docs, path)
}

// HelpTable is the table as path-help knows it.
func (r *Router) HelpTable() []PathHelp { return r.table().helpTable }
