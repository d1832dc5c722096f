package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/cucumber/godog"
)

// structuralDiff compares decoded JSON: every member of want must be in got
// with an equal value; with exact, got may have nothing more. Values under
// "id" keys and keys ending in "-at" are only required to be present and
// non-empty, so documented examples compare while ids and timestamps differ.
func structuralDiff(path string, got, want any, exact bool) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: got %v, want an object", path, got)}
		}
		var diffs []string
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			gv, present := g[k]
			p := path + "." + k
			switch {
			case !present:
				diffs = append(diffs, p+": missing")
			case k == "id" || strings.HasSuffix(k, "-at"):
				if s, ok := gv.(string); !ok || s == "" {
					diffs = append(diffs, fmt.Sprintf("%s: got %v, want a non-empty string", p, gv))
				}
			default:
				diffs = append(diffs, structuralDiff(p, gv, w[k], exact)...)
			}
		}
		if exact {
			for k := range g {
				if _, ok := w[k]; !ok {
					diffs = append(diffs, path+"."+k+": not in the expected document")
				}
			}
		}
		return diffs
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: got %v, want %d items", path, got, len(w))}
		}
		var diffs []string
		for i := range w {
			diffs = append(diffs, structuralDiff(fmt.Sprintf("%s[%d]", path, i), g[i], w[i], exact)...)
		}
		return diffs
	default:
		if !reflect.DeepEqual(got, want) {
			return []string{fmt.Sprintf("%s: got %v, want %v", path, got, want)}
		}
		return nil
	}
}

func registerCompareSteps(ctx *godog.ScenarioContext) {
	compare := func(exact bool) func(context.Context, *godog.DocString) error {
		return func(ctx context.Context, doc *godog.DocString) error {
			got, err := lastJSONAt(ctx, "")
			if err != nil {
				return err
			}
			var want any
			if err := json.Unmarshal([]byte(world(ctx).expand(doc.Content)), &want); err != nil {
				return fmt.Errorf("expected document is not JSON: %w", err)
			}
			if diffs := structuralDiff("$", got, want, exact); len(diffs) > 0 {
				return fmt.Errorf("response differs:\n  %s", strings.Join(diffs, "\n  "))
			}
			return nil
		}
	}
	ctx.Step(`^the response JSON matches, ignoring ids and timestamps:$`, compare(true))
	ctx.Step(`^the response JSON includes, ignoring ids and timestamps:$`, compare(false))
	ctx.Step(`^I take the workload identity token from the response JSON at "([^"]*)"$`, func(ctx context.Context, path string) error {
		v, err := lastJSONAt(ctx, path)
		if err != nil {
			return err
		}
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s = %v is not a token", path, v)
		}
		t, err := parseJWT(s)
		world(ctx).token = t
		return err
	})
}
