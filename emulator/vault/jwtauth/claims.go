package jwtauth

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// validateBoundClaims checks every bound claim: the token's value (or one
// of its values) must equal, or glob-match, one of the bound values.
func validateBoundClaims(r *role, claims map[string]any) error {
	for name, bound := range r.BoundClaims {
		v, ok := claimValue(claims, name, strings.HasPrefix(name, "/"))
		if !ok {
			return fmt.Errorf("claim %q is missing", name)
		}
		actual, err := normalize(v)
		if err != nil {
			return fmt.Errorf("received claim is not a string, bool, int or list: %v", v)
		}
		expected, err := normalize(bound)
		if err != nil {
			return fmt.Errorf("bound claim is not a string, bool, int or list: %v", bound)
		}
		if !anyMatch(actual, expected, r.BoundClaimsType == "glob") {
			return fmt.Errorf("claim %q does not match any associated bound claim values", name)
		}
	}
	return nil
}

// normalize turns a claim into a list of strings.
func normalize(v any) ([]string, error) {
	switch t := v.(type) {
	case string:
		return []string{t}, nil
	case bool:
		return []string{strconv.FormatBool(t)}, nil
	case json.Number:
		f, err := t.Float64()
		if err != nil {
			return nil, err
		}
		return []string{strconv.Itoa(int(f))}, nil
	case float64:
		return []string{strconv.Itoa(int(t))}, nil
	case []any:
		var out []string
		for _, x := range t {
			s, err := normalize(x)
			if err != nil || len(s) != 1 {
				return nil, fmt.Errorf("not a scalar")
			}
			out = append(out, s[0])
		}
		return out, nil
	}
	return nil, fmt.Errorf("unsupported")
}

func anyMatch(actual, expected []string, glob bool) bool {
	for _, a := range actual {
		for _, e := range expected {
			if a == e || (glob && globMatch(e, a)) {
				return true
			}
		}
	}
	return false
}

// globMatch is go-glob's Glob: '*' matches any run of characters.
func globMatch(pattern, s string) bool {
	if pattern == "*" {
		return true
	}
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return s == pattern
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for i := 1; i < len(parts)-1; i++ {
		idx := strings.Index(s, parts[i])
		if idx < 0 {
			return false
		}
		s = s[idx+len(parts[i]):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}
