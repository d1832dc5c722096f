package steps

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tfcemu/tfcemu/features"
)

func TestParseFeaturesReadsEveryFeature(t *testing.T) {
	feats, err := ParseFeatures(features.FS)
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	scenarios := 0
	for _, f := range feats {
		files++
		scenarios += len(f.Scenarios)
		for _, s := range f.Scenarios {
			if len(s.Steps) == 0 {
				t.Errorf("%s: %q has no steps", f.Path, s.Name)
			}
		}
	}
	if files < 20 || scenarios < 100 {
		t.Fatalf("%d features, %d scenarios: the feature files were not all read", files, scenarios)
	}
	var tokens *SpecFeature
	for i := range feats {
		if feats[i].Path == "identity/tokens.feature" {
			tokens = &feats[i]
		}
	}
	if tokens == nil || len(tokens.Links) == 0 || !strings.HasPrefix(tokens.Links[0], "https://developer.hashicorp.com/") {
		t.Fatalf("identity/tokens.feature's cited document not found: %+v", tokens)
	}
}

func TestSpecHTMLEscapesAndShowsEvidence(t *testing.T) {
	fsys := fstest.MapFS{"x/evil.feature": {Data: []byte(`@tfc
Feature: Evil <b>names</b>
  Cites https://developer.hashicorp.com/terraform/cloud-docs/api-docs/workspaces.

  @seed
  Scenario: A workspace named <script>alert(1)</script>
    When I GET "/api/v2/organizations/<img src=x>"
    Then the response status is 200

  Scenario Outline: Outlined <n>
    Then the response status is <n>
    Examples:
      | n   |
      | 200 |
      | 404 |
`)}}
	feats, err := ParseFeatures(fsys)
	if err != nil {
		t.Fatal(err)
	}
	reps := []Report{{Target: "inprocess", Results: []Result{
		{Feature: "x/evil.feature", Scenario: "A workspace named <script>alert(1)</script>", Status: StatusFailed, Step: `the response status is 200`, Detail: "got 404 <oops>"},
		{Feature: "x/evil.feature", Scenario: "Outlined <n>", Status: StatusPassed},
		{Feature: "x/evil.feature", Scenario: "Outlined <n> (example 2)", Status: StatusPassed},
	}}, {Target: "vault-container", Results: []Result{
		{Feature: "x/evil.feature", Scenario: "A workspace named <script>alert(1)</script>", Status: StatusDeviation, Detail: "listed"},
	}}}
	reg := &features.Registry{Deviations: []features.Deviation{{Scenario: "A workspace named <script>alert(1)</script>", Target: "vault-container", Expect: "fail",
		Reason: "real Vault <differs>", Link: "https://developer.hashicorp.com/vault/docs/secrets/terraform"}}}
	out := SpecHTML(feats, reps, reg)
	for _, bad := range []string{"<script>", "<img", "<b>names", "<oops>", "<differs>"} {
		if strings.Contains(out, bad) {
			t.Errorf("unescaped %q in the spec", bad)
		}
	}
	for _, want := range []string{
		"A workspace named &lt;script&gt;alert(1)&lt;/script&gt;",
		`<span class="tag">@seed</span>`, `<span class="tag">@tfc</span>`,
		"step: the response status is 200\ngot 404 &lt;oops&gt;",
		`<td class="failed">failed</td>`, `<td class="known">known deviation</td>`,
		"real Vault &lt;differs&gt;",
		`<a href="https://developer.hashicorp.com/terraform/cloud-docs/api-docs/workspaces" rel="noreferrer">`,
		"Scenario Outline: Outlined &lt;n&gt;", "inprocess · (example 2)", "<td>404</td>",
		"When I GET &#34;/api/v2/organizations/&lt;img src=x&gt;&#34;",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("spec lacks %q", want)
		}
	}
}

func TestWriteReportsWritesTheSpec(t *testing.T) {
	dir := t.TempDir()
	if err := WriteReports(dir, Report{Target: "inprocess", Results: []Result{{Feature: "identity/tokens.feature", Scenario: "x", Status: StatusPassed}}}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "spec.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "<h1>tfcemu living spec</h1>") || !strings.Contains(string(b), "inprocess") {
		t.Fatalf("spec.html: %.300s", b)
	}
}
