package steps

import (
	"encoding/json"
	"fmt"
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	gherkin "github.com/cucumber/gherkin/go/v42"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/tfcemu/tfcemu/features"
)

// The living spec: conformance/spec.html, every feature and scenario with
// its Gherkin steps and tags, its result on each target run so far (the
// per-target JSON reports beside it), the failing step and message, the
// registered deviation with its reason, and the public documents the
// feature cites. Every value is HTML-escaped.

// SpecFeature is a parsed feature file.
type SpecFeature struct {
	Path        string
	Name        string
	Description string
	Tags        []string
	Links       []string
	Background  []string
	Scenarios   []SpecScenario
}

// SpecScenario is a scenario (or outline) with its steps.
type SpecScenario struct {
	Name     string
	Tags     []string
	Steps    []string
	Examples [][]string // header first, for outlines
	Outline  bool
}

// linkRe finds the public documents a feature cites.
var linkRe = regexp.MustCompile(`https?://[^\s)<>"'\x60]+`)

// ParseFeatures parses every .feature file of fsys.
func ParseFeatures(fsys fs.FS) ([]SpecFeature, error) {
	var out []SpecFeature
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".feature") {
			return err
		}
		f, err := fsys.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		n := 0
		doc, err := gherkin.ParseGherkinDocument(f, func() string { n++; return strconv.Itoa(n) })
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		if doc.Feature == nil {
			return nil
		}
		out = append(out, specFeature(p, doc.Feature))
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, err
}

func tagNames(ts []*messages.Tag) []string {
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		out = append(out, t.Name)
	}
	return out
}

func stepLines(ss []*messages.Step) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		line := strings.TrimSpace(s.Keyword) + " " + s.Text
		if s.DocString != nil {
			line += "\n" + s.DocString.Content
		}
		if s.DataTable != nil {
			for _, r := range s.DataTable.Rows {
				line += "\n| " + strings.Join(cellValues(r), " | ") + " |"
			}
		}
		out = append(out, line)
	}
	return out
}

func cellValues(r *messages.TableRow) []string {
	out := make([]string, 0, len(r.Cells))
	for _, c := range r.Cells {
		out = append(out, c.Value)
	}
	return out
}

func specFeature(p string, f *messages.Feature) SpecFeature {
	sf := SpecFeature{Path: p, Name: f.Name, Description: dedent(f.Description), Tags: tagNames(f.Tags)}
	seen := map[string]bool{}
	addScenario := func(s *messages.Scenario, extraTags []string) {
		sc := SpecScenario{Name: s.Name, Tags: append(append([]string{}, extraTags...), tagNames(s.Tags)...), Steps: stepLines(s.Steps), Outline: len(s.Examples) > 0}
		for _, ex := range s.Examples {
			if ex.TableHeader != nil && len(sc.Examples) == 0 {
				sc.Examples = append(sc.Examples, cellValues(ex.TableHeader))
			}
			for _, r := range ex.TableBody {
				sc.Examples = append(sc.Examples, cellValues(r))
			}
		}
		for _, l := range linkRe.FindAllString(s.Description, -1) {
			if !seen[l] {
				seen[l] = true
				sf.Links = append(sf.Links, strings.TrimRight(l, ".,;"))
			}
		}
		sf.Scenarios = append(sf.Scenarios, sc)
	}
	for _, l := range linkRe.FindAllString(f.Description, -1) {
		l = strings.TrimRight(l, ".,;")
		if !seen[l] {
			seen[l] = true
			sf.Links = append(sf.Links, l)
		}
	}
	for _, c := range f.Children {
		switch {
		case c.Background != nil:
			sf.Background = stepLines(c.Background.Steps)
		case c.Scenario != nil:
			addScenario(c.Scenario, nil)
		case c.Rule != nil:
			for _, rc := range c.Rule.Children {
				if rc.Scenario != nil {
					addScenario(rc.Scenario, tagNames(c.Rule.Tags))
				}
			}
		}
	}
	return sf
}

// dedent trims each line of a Gherkin description.
func dedent(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.Join(lines, "\n")
}

// loadReports reads every target's JSON report in dir.
func loadReports(dir string) []Report {
	var all []Report
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, f := range files {
		var r Report
		if b, err := os.ReadFile(f); err == nil && json.Unmarshal(b, &r) == nil && r.Target != "" {
			all = append(all, r)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Target < all[j].Target })
	return all
}

// WriteSpec writes <dir>/spec.html from the embedded features, the
// deviations registry and the target reports in dir.
func WriteSpec(dir string) error {
	feats, err := ParseFeatures(features.FS)
	if err != nil {
		return err
	}
	reg, err := features.LoadRegistry()
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "spec.html"), []byte(SpecHTML(feats, loadReports(dir), reg)), 0o644)
}

// esc escapes text for HTML element content and attribute values.
func esc(s string) string { return html.EscapeString(s) }

// resultsFor are a scenario's results on a target: one, or one per
// example of an outline ("name (example n)" after the first).
func resultsFor(rep Report, feature, scenario string) []Result {
	var out []Result
	for _, r := range rep.Results {
		if r.Feature != feature && r.Feature != "*" {
			continue
		}
		if r.Scenario == scenario || strings.HasPrefix(r.Scenario, scenario+" (example ") || r.Feature == "*" {
			out = append(out, r)
		}
	}
	return out
}

// SpecHTML renders the living spec.
func SpecHTML(feats []SpecFeature, reps []Report, reg *features.Registry) string {
	var b strings.Builder
	b.WriteString(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tfcemu living spec</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>
body{font:14px/1.45 system-ui,sans-serif;max-width:70em;margin:1em auto;padding:0 1em;color:#1d1d1f}
h2{border-top:2px solid #1f2a44;padding-top:.6em;margin-top:2em}h3{margin:1.4em 0 .3em}
.tag{display:inline-block;background:#eef;border-radius:3px;padding:0 .35em;margin-right:.3em;font-size:12px;font-family:ui-monospace,monospace}
pre{background:#f6f6f6;padding:.5em;margin:.3em 0;white-space:pre-wrap;font-size:12.5px}
table{border-collapse:collapse;margin:.3em 0}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top;font-size:13px}
.passed{background:#d4f7d4}.failed{background:#f7d4d4}.skipped{background:#eee}.known{background:#fdf3c4}
.desc{white-space:pre-wrap;color:#333}.muted{color:#777}
</style></head><body>
<h1>tfcemu living spec</h1>
<p>Every feature and scenario with its Gherkin steps and tags, its result on each target run so far, the failing step and message, the registered deviation and its reason, and the public documents each feature cites. Generated by <code>make conformance</code> from features/ and conformance/TARGET.json.</p>
`)
	// Summary per target.
	b.WriteString("<table><tr><th>target</th><th>passed</th><th>failed</th><th>known deviations</th><th>skipped</th></tr>\n")
	for _, rep := range reps {
		c := counts(rep)
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td></tr>\n", esc(rep.Target), c[StatusPassed], c[StatusFailed], c[StatusDeviation], c[StatusSkipped])
	}
	if len(reps) == 0 {
		b.WriteString(`<tr><td colspan="5" class="muted">no target has run yet</td></tr>` + "\n")
	}
	b.WriteString("</table>\n<h2>Contents</h2><ul>\n")
	for i, f := range feats {
		fmt.Fprintf(&b, "<li><a href=\"#f%d\">%s</a> <span class=\"muted\">%s</span></li>\n", i, esc(f.Name), esc(f.Path))
	}
	b.WriteString("</ul>\n")
	for i, f := range feats {
		fmt.Fprintf(&b, "<h2 id=\"f%d\">%s</h2>\n<p class=\"muted\">features/%s ", i, esc(f.Name), esc(f.Path))
		for _, t := range f.Tags {
			fmt.Fprintf(&b, "<span class=\"tag\">%s</span>", esc(t))
		}
		b.WriteString("</p>\n")
		if f.Description != "" {
			fmt.Fprintf(&b, "<p class=\"desc\">%s</p>\n", esc(f.Description))
		}
		if len(f.Links) > 0 {
			b.WriteString("<p>Public documents: ")
			for j, l := range f.Links {
				if j > 0 {
					b.WriteString(" · ")
				}
				fmt.Fprintf(&b, "<a href=\"%s\" rel=\"noreferrer\">%s</a>", esc(l), esc(l))
			}
			b.WriteString("</p>\n")
		} else {
			b.WriteString("<p class=\"muted\">Public documents: none stated in the feature's description.</p>\n")
		}
		if len(f.Background) > 0 {
			fmt.Fprintf(&b, "<p><strong>Background</strong></p><pre>%s</pre>\n", esc(strings.Join(f.Background, "\n")))
		}
		for _, s := range f.Scenarios {
			kind := "Scenario"
			if s.Outline {
				kind = "Scenario Outline"
			}
			fmt.Fprintf(&b, "<h3>%s: %s</h3>\n<p>", kind, esc(s.Name))
			for _, t := range s.Tags {
				fmt.Fprintf(&b, "<span class=\"tag\">%s</span>", esc(t))
			}
			fmt.Fprintf(&b, "</p>\n<pre>%s</pre>\n", esc(strings.Join(s.Steps, "\n")))
			if len(s.Examples) > 0 {
				b.WriteString("<table>")
				for j, row := range s.Examples {
					cell := "td"
					if j == 0 {
						cell = "th"
					}
					b.WriteString("<tr>")
					for _, v := range row {
						fmt.Fprintf(&b, "<%s>%s</%s>", cell, esc(v), cell)
					}
					b.WriteString("</tr>")
				}
				b.WriteString("</table>\n")
			}
			b.WriteString("<table><tr><th>target</th><th>result</th><th>failing step / detail</th><th>deviation</th></tr>\n")
			for _, rep := range reps {
				rs := resultsFor(rep, f.Path, s.Name)
				dev, listed := features.Deviation{}, false
				if reg != nil {
					dev, listed = reg.Lookup(s.Name, rep.Target)
				}
				devCell := ""
				if listed {
					devCell = esc(dev.Reason)
					if strings.HasPrefix(dev.Link, "https://") || strings.HasPrefix(dev.Link, "http://") {
						devCell += fmt.Sprintf(` (<a href="%s" rel="noreferrer">%s</a>)`, esc(dev.Link), esc(dev.Link))
					}
				}
				if len(rs) == 0 {
					fmt.Fprintf(&b, "<tr><td>%s</td><td class=\"muted\">not run</td><td></td><td>%s</td></tr>\n", esc(rep.Target), devCell)
					continue
				}
				for _, r := range rs {
					detail := r.Detail
					if r.Step != "" {
						detail = "step: " + r.Step + "\n" + detail
					}
					name := rep.Target
					if r.Scenario != s.Name && r.Feature != "*" {
						name += " · " + strings.TrimPrefix(r.Scenario, s.Name+" ")
					}
					if detail != "" {
						detail = "<pre>" + esc(detail) + "</pre>"
					}
					fmt.Fprintf(&b, "<tr><td>%s</td><td class=\"%s\">%s</td><td>%s</td><td>%s</td></tr>\n",
						esc(name), esc(strings.Fields(r.Status + " x")[0]), esc(r.Status), detail, devCell)
				}
			}
			if len(reps) == 0 {
				b.WriteString("<tr><td colspan=\"4\" class=\"muted\">no target has run yet</td></tr>\n")
			}
			b.WriteString("</table>\n")
		}
	}
	if reg != nil && len(reg.Choices) > 0 {
		b.WriteString("<h2>Choices where the documents are silent</h2>\n<table><tr><th>topic</th><th>behaviour</th><th>reason</th><th>source</th></tr>\n")
		for _, c := range reg.Choices {
			fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td><td>%s</td><td><a href=\"%s\" rel=\"noreferrer\">%s</a></td></tr>\n", esc(c.Topic), esc(c.Behaviour), esc(c.Reason), esc(c.Link), esc(c.Link))
		}
		b.WriteString("</table>\n")
	}
	b.WriteString("</body></html>\n")
	return b.String()
}
