package logical

import (
	"fmt"
	"sort"
	"time"

	"github.com/hashicorp/go-secure-stdlib/parseutil"
)

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

// Keys is a sorted list response, as Vault storage lists are.
func Keys(keys []string) *Response {
	sort.Strings(keys)
	ks := make([]any, len(keys))
	for i, k := range keys {
		ks[i] = k
	}
	return &Response{Data: map[string]any{"keys": ks}}
}
