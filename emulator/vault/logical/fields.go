package logical

import (
	"encoding/json"
	"fmt"
	"github.com/hashicorp/go-secure-stdlib/parseutil"
	"sort"
	"strconv"
	"strings"
	"time"
)

// FieldError is Vault's field validation failure: a 400 with
// `Field validation failed: error converting input for field "ttl": ...`.
func FieldError(field string, err error) *Response {
	return ErrorResponse("Field validation failed: error converting input for field %q: %s", field, err)
}

// String reads a string field; numbers and bools are converted as Vault's
// weak decoding does.
func (r *Request) String(field string) (string, bool, error) {
	v, ok := r.Data[field]
	if !ok || v == nil {
		return "", false, nil
	}
	switch t := v.(type) {
	case string:
		return t, true, nil
	case json.Number:
		return t.String(), true, nil
	case bool:
		return strconv.FormatBool(t), true, nil
	}
	return "", true, fmt.Errorf("'' expected type 'string', got unconvertible type '%T', value: '%v'", v, v)
}

// Bool reads a boolean field ("true", true, 1).
func (r *Request) Bool(field string) (bool, bool, error) {
	v, ok := r.Data[field]
	if !ok || v == nil {
		return false, false, nil
	}
	switch t := v.(type) {
	case bool:
		return t, true, nil
	case string:
		b, err := strconv.ParseBool(t)
		if err != nil {
			return false, true, fmt.Errorf("cannot parse '' as bool: %w", err)
		}
		return b, true, nil
	case json.Number:
		n, err := t.Int64()
		return n != 0, true, err
	}
	return false, true, fmt.Errorf("cannot parse '%v' as bool", v)
}

// ParseDurationSecond parses a duration as a TypeDurationSecond field
// does: parseutil.ParseDurationSecond (seconds, "Nd", a Go duration;
// an overflow is an error), and a negative value is refused.
func ParseDurationSecond(v any) (time.Duration, error) {
	d, err := parseutil.ParseDurationSecond(v)
	if err != nil {
		return 0, err
	}
	if d < 0 {
		return 0, fmt.Errorf("cannot provide negative value '%d'", int64(d/time.Second))
	}
	return d, nil
}

// Map reads a TypeMap or TypeKVPairs field: a JSON object, or "k=v"
// strings.
func (r *Request) Map(field string) (map[string]any, bool, error) {
	v, ok := r.Data[field]
	if !ok || v == nil {
		return nil, false, nil
	}
	switch t := v.(type) {
	case map[string]any:
		return t, true, nil
	case string:
		if strings.TrimSpace(t) == "" {
			return map[string]any{}, true, nil
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(t), &m); err == nil {
			return m, true, nil
		}
		return kvPairs([]string{t})
	case []any:
		var ss []string
		for _, x := range t {
			s, ok := x.(string)
			if !ok {
				return nil, true, fmt.Errorf("'%v' is not a key=value string", x)
			}
			ss = append(ss, s)
		}
		return kvPairs(ss)
	}
	return nil, true, fmt.Errorf("'%v' expected a map", v)
}

func kvPairs(ss []string) (map[string]any, bool, error) {
	m := map[string]any{}
	for _, s := range ss {
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return nil, true, fmt.Errorf("invalid key value pair %q", s)
		}
		m[k] = v
	}
	return m, true, nil
}

// Keys is a sorted list response, as Vault storage lists are.
func Keys(keys []string) *Response {
	sort.Strings(keys)
	ks := make([]any, len(keys))
	for i, k := range keys {
		ks[i] = k
	}
	return &Response{Data: map[string]any{"keys": ks}}
}
