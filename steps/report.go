package steps

import (
	"encoding/json"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Report is one target's conformance results.
type Report struct {
	Target  string   `json:"target"`
	Results []Result `json:"results"`
}

// BuildReport merges the judged results with the skips recorded before a
// scenario could be judged, one row per scenario.
func BuildReport(target string, results []Result, skips []Skip) Report {
	// Scenario outlines repeat a name: number the examples so each row is
	// one scenario on every target.
	n := map[string]int{}
	for i := range results {
		k := results[i].Feature + "\x00" + results[i].Scenario
		n[k]++
		if n[k] > 1 {
			results[i].Scenario = fmt.Sprintf("%s (example %d)", results[i].Scenario, n[k])
		}
	}
	seen := map[string]bool{}
	for _, r := range results {
		seen[r.Scenario] = true
	}
	for _, s := range skips {
		if !seen[s.Scenario] {
			results = append(results, Result{Scenario: s.Scenario, Status: StatusSkipped, Detail: s.Reason})
			seen[s.Scenario] = true
		}
	}
	sort.SliceStable(results, func(i, j int) bool {
		if results[i].Feature != results[j].Feature {
			return results[i].Feature < results[j].Feature
		}
		return results[i].Scenario < results[j].Scenario
	})
	return Report{Target: target, Results: results}
}

// WriteReports writes <dir>/<target>.json and <dir>/<target>.md, and
// rebuilds <dir>/matrix.html and the living spec <dir>/spec.html from
// every target's JSON in dir.
func WriteReports(dir string, rep Report) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, rep.Target+".json"), b, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, rep.Target+".md"), []byte(markdown(rep)), 0o644); err != nil {
		return err
	}
	var all []Report
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, f := range files {
		var r Report
		if b, err := os.ReadFile(f); err == nil && json.Unmarshal(b, &r) == nil && r.Target != "" {
			all = append(all, r)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "matrix.html"), []byte(matrixHTML(all)), 0o644); err != nil {
		return err
	}
	return WriteSpec(dir)
}

func counts(rep Report) map[string]int {
	c := map[string]int{}
	for _, r := range rep.Results {
		c[r.Status]++
	}
	return c
}

func markdown(rep Report) string {
	var b strings.Builder
	c := counts(rep)
	fmt.Fprintf(&b, "# Conformance: %s\n\n%d passed, %d failed, %d skipped, %d known deviations\n\n", rep.Target,
		c[StatusPassed], c[StatusFailed], c[StatusSkipped], c[StatusDeviation])
	b.WriteString("| feature | scenario | result | detail |\n|---|---|---|---|\n")
	for _, r := range rep.Results {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", cell(r.Feature), cell(r.Scenario), r.Status, cell(r.Detail))
	}
	return b.String()
}

func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// matrixHTML is feature × scenario × target.
func matrixHTML(all []Report) string {
	sort.Slice(all, func(i, j int) bool { return all[i].Target < all[j].Target })
	type key struct{ feature, scenario string }
	var rows []key
	cells := map[key]map[string]Result{}
	for _, rep := range all {
		for _, r := range rep.Results {
			k := key{r.Feature, r.Scenario}
			if cells[k] == nil {
				cells[k] = map[string]Result{}
				rows = append(rows, k)
			}
			cells[k][rep.Target] = r
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].feature != rows[j].feature {
			return rows[i].feature < rows[j].feature
		}
		return rows[i].scenario < rows[j].scenario
	})
	var b strings.Builder
	b.WriteString("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>tfcemu conformance</title><style>" +
		"body{font-family:sans-serif}td,th{border:1px solid #ccc;padding:4px}table{border-collapse:collapse}" +
		".passed{background:#d4f7d4}.failed{background:#f7d4d4}.skipped{background:#eee}.known{background:#fdf3c4}</style></head><body>\n")
	b.WriteString("<h1>tfcemu conformance matrix</h1>\n<table><tr><th>feature</th><th>scenario</th>")
	for _, rep := range all {
		fmt.Fprintf(&b, "<th>%s</th>", html.EscapeString(rep.Target))
	}
	b.WriteString("</tr>\n")
	for _, k := range rows {
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td>", html.EscapeString(k.feature), html.EscapeString(k.scenario))
		for _, rep := range all {
			r, ok := cells[k][rep.Target]
			if !ok {
				b.WriteString("<td></td>")
				continue
			}
			class := strings.Fields(r.Status)[0]
			fmt.Fprintf(&b, "<td class=%q title=%q>%s</td>", class, r.Detail, html.EscapeString(r.Status))
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</table></body></html>\n")
	return b.String()
}
