package aws

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Policy is a parsed IAM trust policy (a role's assume_role_policy).
type Policy struct {
	Statements []Statement
}

// Statement is one statement of a trust policy.
type Statement struct {
	Sid    string
	Effect string // Allow or Deny
	// AnyPrincipal is "Principal": "*".
	AnyPrincipal bool
	// Principals are the principals by type (Federated, AWS, Service).
	Principals map[string][]string
	Actions    []string
	Conditions []Condition
}

// Condition is one operator/key pair of a statement's Condition block.
type Condition struct {
	// Operator is as written, e.g. ForAnyValue:StringLike.
	Operator string
	Key      string
	Values   []string
}

// conditionOperators are the operators a trust policy may use here; the
// ForAnyValue:/ForAllValues: prefixes and the IfExists suffix apply to all
// but Null.
var conditionOperators = map[string]bool{
	"StringEquals": true, "StringNotEquals": true, "StringEqualsIgnoreCase": true, "StringNotEqualsIgnoreCase": true,
	"StringLike": true, "StringNotLike": true, "Null": true, "Bool": true,
}

// splitOperator returns an operator's set qualifier (ForAnyValue,
// ForAllValues or ""), its base name and whether it has IfExists.
func splitOperator(op string) (qualifier, base string, ifExists bool) {
	base = op
	if q, rest, ok := strings.Cut(op, ":"); ok {
		qualifier, base = q, rest
	}
	if strings.HasSuffix(base, "IfExists") && base != "IfExists" {
		base, ifExists = strings.TrimSuffix(base, "IfExists"), true
	}
	return qualifier, base, ifExists
}

// PolicyError is a malformed policy, with the position of the problem: a
// line and column for JSON syntax, a path such as Statement[1].Condition
// for the rest.
type PolicyError struct{ Position, Detail string }

func (e *PolicyError) Error() string { return "assume_role_policy: " + e.Position + ": " + e.Detail }

// ParsePolicy parses and validates a trust policy document.
func ParsePolicy(doc string) (*Policy, error) {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, &PolicyError{Position: jsonPosition(doc, err), Detail: "not a JSON object: " + strings.TrimPrefix(err.Error(), "json: ")}
	}
	if dec.More() {
		return nil, &PolicyError{Position: jsonPosition(doc, errAt(dec.InputOffset())), Detail: "more than one JSON value"}
	}
	for k := range raw {
		if k != "Version" && k != "Statement" && k != "Id" {
			return nil, &PolicyError{Position: k, Detail: "unknown policy element (want Version, Id, Statement)"}
		}
	}
	if v, ok := raw["Version"]; ok {
		if s, _ := v.(string); s != "2012-10-17" && s != "2008-10-17" {
			return nil, &PolicyError{Position: "Version", Detail: fmt.Sprintf("%v is not a policy language version (2012-10-17 or 2008-10-17)", v)}
		}
	}
	var stmts []any
	switch s := raw["Statement"].(type) {
	case []any:
		stmts = s
	case map[string]any:
		stmts = []any{s}
	case nil:
		return nil, &PolicyError{Position: "Statement", Detail: "missing"}
	default:
		return nil, &PolicyError{Position: "Statement", Detail: "must be an object or an array of objects"}
	}
	if len(stmts) == 0 {
		return nil, &PolicyError{Position: "Statement", Detail: "must not be empty"}
	}
	p := &Policy{}
	for i, s := range stmts {
		st, err := parseStatement(fmt.Sprintf("Statement[%d]", i), s)
		if err != nil {
			return nil, err
		}
		p.Statements = append(p.Statements, st)
	}
	return p, nil
}

type errAt int64

func (e errAt) Error() string { return "" }

// jsonPosition names where a JSON decode error is: line and column.
func jsonPosition(doc string, err error) string {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var at errAt
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	case errors.As(err, &at):
		off = int64(at)
	}
	if off < 0 {
		return "document"
	}
	if off > int64(len(doc)) {
		off = int64(len(doc))
	}
	before := doc[:off]
	line := strings.Count(before, "\n") + 1
	col := int(off) - strings.LastIndex(before, "\n")
	return fmt.Sprintf("line %d, column %d", line, col)
}

func parseStatement(pos string, v any) (Statement, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return Statement{}, &PolicyError{Position: pos, Detail: "must be an object"}
	}
	st := Statement{Principals: map[string][]string{}}
	for k, val := range m {
		at := pos + "." + k
		var err error
		switch k {
		case "Sid":
			st.Sid, ok = val.(string)
			if !ok {
				err = &PolicyError{Position: at, Detail: "must be a string"}
			}
		case "Effect":
			st.Effect, _ = val.(string)
			if st.Effect != "Allow" && st.Effect != "Deny" {
				err = &PolicyError{Position: at, Detail: fmt.Sprintf("%v is not Allow or Deny", val)}
			}
		case "Principal":
			err = parsePrincipal(at, val, &st)
		case "Action":
			st.Actions, err = stringList(at, val)
		case "Condition":
			st.Conditions, err = parseConditions(at, val)
		case "NotPrincipal", "NotAction", "Resource", "NotResource":
			err = &PolicyError{Position: at, Detail: "is not supported in a trust policy here (use Principal and Action)"}
		default:
			err = &PolicyError{Position: at, Detail: "unknown statement element"}
		}
		if err != nil {
			return Statement{}, err
		}
	}
	switch {
	case st.Effect == "":
		return Statement{}, &PolicyError{Position: pos + ".Effect", Detail: "missing"}
	case st.Actions == nil:
		return Statement{}, &PolicyError{Position: pos + ".Action", Detail: "missing"}
	case !st.AnyPrincipal && len(st.Principals) == 0:
		return Statement{}, &PolicyError{Position: pos + ".Principal", Detail: "missing (a trust policy names who may assume the role)"}
	}
	return st, nil
}

func parsePrincipal(at string, v any, st *Statement) error {
	if s, ok := v.(string); ok {
		if s != "*" {
			return &PolicyError{Position: at, Detail: fmt.Sprintf("%q: a string principal must be \"*\"", s)}
		}
		st.AnyPrincipal = true
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return &PolicyError{Position: at, Detail: "must be \"*\" or an object such as {\"Federated\": \"arn:aws:iam::ACCOUNT:oidc-provider/HOST\"}"}
	}
	for typ, val := range m {
		if typ != "Federated" && typ != "AWS" && typ != "Service" && typ != "CanonicalUser" {
			return &PolicyError{Position: at + "." + typ, Detail: "unknown principal type (want Federated, AWS, Service or CanonicalUser)"}
		}
		list, err := stringList(at+"."+typ, val)
		if err != nil {
			return err
		}
		st.Principals[typ] = list
	}
	return nil
}

func parseConditions(at string, v any) ([]Condition, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, &PolicyError{Position: at, Detail: "must be an object of operators"}
	}
	var out []Condition
	ops := slices.Sorted(maps.Keys(m))
	for _, op := range ops {
		qualifier, base, ifExists := splitOperator(op)
		if !conditionOperators[base] || (qualifier != "" && qualifier != "ForAnyValue" && qualifier != "ForAllValues") || (base == "Null" && (ifExists || qualifier != "")) {
			return nil, &PolicyError{Position: at + "." + op, Detail: "unsupported condition operator (supported: StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike, StringNotLike, Bool, each with ForAnyValue:/ForAllValues: and IfExists, and Null)"}
		}
		keys, ok := m[op].(map[string]any)
		if !ok || len(keys) == 0 {
			return nil, &PolicyError{Position: at + "." + op, Detail: "must be an object of condition keys"}
		}
		for _, key := range slices.Sorted(maps.Keys(keys)) {
			vals, err := stringList(at+"."+op+"."+key, keys[key])
			if err != nil {
				return nil, err
			}
			if base == "Null" || base == "Bool" {
				for _, v := range vals {
					if v != "true" && v != "false" {
						return nil, &PolicyError{Position: at + "." + op + "." + key, Detail: fmt.Sprintf("%q: %s takes \"true\" or \"false\"", v, base)}
					}
				}
			}
			out = append(out, Condition{Operator: op, Key: key, Values: vals})
		}
	}
	return out, nil
}

// stringList reads a policy value that is a string or an array of
// strings (booleans and numbers are written as strings, as IAM does).
func stringList(at string, v any) ([]string, error) {
	scalar := func(x any) (string, bool) {
		switch s := x.(type) {
		case string:
			return s, true
		case bool:
			return fmt.Sprint(s), true
		case json.Number:
			return s.String(), true
		}
		return "", false
	}
	if s, ok := scalar(v); ok {
		return []string{s}, nil
	}
	arr, ok := v.([]any)
	if !ok || len(arr) == 0 {
		return nil, &PolicyError{Position: at, Detail: "must be a string or a non-empty array of strings"}
	}
	out := make([]string, 0, len(arr))
	for i, x := range arr {
		s, ok := scalar(x)
		if !ok {
			return nil, &PolicyError{Position: fmt.Sprintf("%s[%d]", at, i), Detail: "must be a string"}
		}
		out = append(out, s)
	}
	return out, nil
}

// request is what a trust policy is evaluated against.
type request struct {
	principal string // the provider's ARN
	action    string
	// context are the condition keys, lower-cased, each a set of values.
	context map[string][]string
}

// evaluate applies p to req: an explicit Deny wins, then an Allow, else the
// implicit deny. reasons explain each statement's outcome.
func (p *Policy) evaluate(req request) (allowed bool, reasons []string) {
	var allow, deny bool
	for i, st := range p.Statements {
		name := fmt.Sprintf("Statement[%d]", i)
		if st.Sid != "" {
			name += " (" + st.Sid + ")"
		}
		name += " " + st.Effect
		matched, why := st.matches(req)
		if matched {
			reasons = append(reasons, name+": matches: "+why)
			if st.Effect == "Deny" {
				deny = true
			} else {
				allow = true
			}
		} else {
			reasons = append(reasons, name+": does not apply: "+why)
		}
	}
	switch {
	case deny:
		reasons = append(reasons, "an explicit Deny applies")
		return false, reasons
	case allow:
		return true, reasons
	}
	return false, append(reasons, "no Allow statement applies (implicit deny)")
}

func (st Statement) matches(req request) (bool, string) {
	if !st.AnyPrincipal && !slicesContainsFold(st.Principals["Federated"], req.principal, true) {
		return false, fmt.Sprintf("Principal.Federated %s does not name %s", listText(st.Principals["Federated"]), req.principal)
	}
	if !slicesContainsFold(st.Actions, req.action, false) {
		return false, fmt.Sprintf("Action %s does not include %s", listText(st.Actions), req.action)
	}
	var ok []string
	for _, c := range st.Conditions {
		match, why := c.evaluate(req.context)
		if !match {
			return false, why
		}
		ok = append(ok, why)
	}
	if len(ok) == 0 {
		return true, "principal and action match, no conditions"
	}
	return true, strings.Join(ok, "; ")
}

// slicesContainsFold reports whether a pattern of list matches v: exact
// (caseSensitive) or an IAM action glob, case-insensitive.
func slicesContainsFold(list []string, v string, caseSensitive bool) bool {
	for _, p := range list {
		if p == "*" || (caseSensitive && p == v) || (!caseSensitive && globMatch(strings.ToLower(p), strings.ToLower(v))) {
			return true
		}
	}
	return false
}

func listText(list []string) string {
	if len(list) == 1 {
		return fmt.Sprintf("%q", list[0])
	}
	b, _ := json.Marshal(list)
	return string(bytes.ReplaceAll(b, []byte(`","`), []byte(`", "`)))
}

// globMatch is IAM's StringLike: * any run of characters, ? any one
// character, '/' and '[' ordinary (unlike path.Match).
func globMatch(pattern, s string) bool { return globRunes([]rune(pattern), []rune(s)) }

// globRunes is globMatch on runes (greedy with backtracking to the last *).
func globRunes(p, s []rune) bool {
	star, match := -1, 0
	i, j := 0, 0
	for j < len(s) {
		switch {
		case i < len(p) && (p[i] == '?' || p[i] == s[j]):
			i++
			j++
		case i < len(p) && p[i] == '*':
			star, match = i, j
			i++
		case star >= 0:
			i = star + 1
			match++
			j = match
		default:
			return false
		}
	}
	for i < len(p) && p[i] == '*' {
		i++
	}
	return i == len(p)
}

// evaluate applies one condition to the request context and says why.
func (c Condition) evaluate(ctx map[string][]string) (bool, string) {
	qualifier, base, ifExists := splitOperator(c.Operator)
	values, present := ctx[strings.ToLower(c.Key)]
	head := fmt.Sprintf("%s on %s", c.Operator, c.Key)
	if base == "Null" {
		wantMissing := c.Values[0] == "true"
		if len(c.Values) > 1 {
			wantMissing = slicesContainsFold(c.Values, fmt.Sprint(!present), true)
			return wantMissing, fmt.Sprintf("%s: key present = %t", head, present)
		}
		if wantMissing == !present {
			return true, fmt.Sprintf("%s: key present = %t, as required", head, present)
		}
		return false, fmt.Sprintf("%s: key present = %t, but %s requires %t", head, present, c.Values[0], !wantMissing)
	}
	if !present {
		switch {
		case ifExists:
			return true, head + ": the key is absent (IfExists)"
		case qualifier == "ForAllValues":
			return true, head + ": the key is absent (ForAllValues of nothing is true)"
		case negated(base) && qualifier == "":
			return true, head + ": the key is absent, so it cannot match (negated operator)"
		}
		return false, head + ": the key is absent from the request"
	}
	one := func(v string) bool {
		for _, want := range c.Values {
			if matchValue(base, want, v) {
				return true
			}
		}
		return false
	}
	valText := listText(values)
	if len(values) == 1 {
		valText = fmt.Sprintf("%q", values[0])
	}
	switch qualifier {
	case "ForAllValues":
		for _, v := range values {
			if !positiveOrNegated(base, one(v)) {
				return false, fmt.Sprintf("%s: %q %s %s", head, v, failVerb(base), listText(c.Values))
			}
		}
		return true, fmt.Sprintf("%s: every value of %s %s %s", head, valText, okVerb(base), listText(c.Values))
	default: // ForAnyValue, or a single-valued key: any value satisfies
		for _, v := range values {
			if positiveOrNegated(base, one(v)) {
				matched := listText(c.Values)
				for _, want := range c.Values {
					if !negated(base) && matchValue(base, want, v) {
						matched = fmt.Sprintf("%q", want)
						break
					}
				}
				return true, fmt.Sprintf("%s: %q %s %s", head, v, okVerb(base), matched)
			}
		}
		return false, fmt.Sprintf("%s: %s %s %s", head, valText, failVerb(base), listText(c.Values))
	}
}

func negated(base string) bool { return strings.Contains(base, "Not") }

func positiveOrNegated(base string, matched bool) bool {
	if negated(base) {
		return !matched
	}
	return matched
}

func okVerb(base string) string {
	if negated(base) {
		return "matches none of"
	}
	return "matches"
}

func failVerb(base string) string {
	if negated(base) {
		return "matches one of"
	}
	return "does not match"
}

// matchValue compares one context value with one policy value under a
// base operator (negation is applied by the caller).
func matchValue(base, want, got string) bool {
	switch base {
	case "StringEquals", "StringNotEquals":
		return want == got
	case "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase":
		return strings.EqualFold(want, got)
	case "StringLike", "StringNotLike":
		return globMatch(want, got)
	case "Bool":
		return strings.EqualFold(want, got)
	}
	return false
}
