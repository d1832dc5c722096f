package entrylog

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
)

// Diff reports where two snapshots differ (nil when they hold the same:
// member order aside): the first member, and in
// a list the first entry, that is not the same.
func Diff(logged, live json.RawMessage) error {
	var a, b map[string]any
	if err := json.Unmarshal(logged, &a); err != nil {
		return err
	}
	if err := json.Unmarshal(live, &b); err != nil {
		return err
	}
	names := map[string]bool{}
	for k := range a {
		names[k] = true
	}
	for k := range b {
		names[k] = true
	}
	sorted := make([]string, 0, len(names))
	for k := range names {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		if reflect.DeepEqual(a[k], b[k]) {
			continue
		}
		la, oka := a[k].([]any)
		lb, okb := b[k].([]any)
		if oka && okb {
			for i := range max(len(la), len(lb)) {
				var x, y any
				if i < len(la) {
					x = la[i]
				}
				if i < len(lb) {
					y = lb[i]
				}
				if !reflect.DeepEqual(x, y) {
					return fmt.Errorf("member %s entry %d: %s", k, i, fields(x, y))
				}
			}
		}
		return fmt.Errorf("member %s: logged %s, live %s", k, short(a[k]), short(b[k]))
	}
	return nil
}

// short is v as JSON, cut to a readable length.
func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

// fields names the fields two differing entries differ in, with both
// values, or shows both entries when they are not both objects.
func fields(logged, live any) string {
	a, oka := logged.(map[string]any)
	b, okb := live.(map[string]any)
	if !oka || !okb {
		return fmt.Sprintf("logged %s, live %s", short(logged), short(live))
	}
	var out []string
	for k := range a {
		if !reflect.DeepEqual(a[k], b[k]) {
			out = append(out, fmt.Sprintf("%s: logged %s, live %s", k, short(a[k]), short(b[k])))
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, fmt.Sprintf("%s: logged none, live %s", k, short(b[k])))
		}
	}
	sort.Strings(out)
	return fmt.Sprintf("%v (id %s)", out, short(b["ID"]))
}
