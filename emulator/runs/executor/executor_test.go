package executor

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfcemu/tfcemu/emulator/tfc"
)

func TestTfvarsQuotesStringsAndKeepsHCL(t *testing.T) {
	got := tfvars([]tfc.Variable{
		{Key: "plain", Value: "a \"quoted\" ${not} %{interp}", Category: tfc.CategoryTerraform},
		{Key: "list", Value: `["a", "b"]`, Category: tfc.CategoryTerraform, HCL: true},
		{Key: "ENV_ONLY", Value: "x", Category: tfc.CategoryEnv},
	}, &tfc.PhaseEnvironment{TerraformVariables: map[string]any{"plain": "ignored", "extra": map[string]any{"k": "${v}"}}})
	want := "plain = \"a \\\"quoted\\\" $${not} %%{interp}\"\nlist = [\"a\", \"b\"]\nextra = {\"k\":\"$${v}\"}\n"
	if got != want {
		t.Fatalf("tfvars =\n%s\nwant\n%s", got, want)
	}
}

func TestWorkDirStaysInsideTheConfiguration(t *testing.T) {
	for wd, ok := range map[string]bool{"": true, "infra": true, "a/../b": true, "../out": false, "/abs": false, "a/../../out": false} {
		got, err := workDir("/runs/r/config", wd)
		if (err == nil) != ok || (ok && !strings.HasPrefix(got, "/runs/r/config")) {
			t.Errorf("workDir(%q) = %q, %v", wd, got, err)
		}
	}
}

func TestReadCountsSumsTheJSONPlan(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plan.json")
	plan := `{"resource_changes":[{"change":{"actions":["create"]}},{"change":{"actions":["delete","create"]}},
		{"change":{"actions":["update"]}},{"change":{"actions":["no-op"],"importing":{"id":"x"}}},{"change":{"actions":["delete"]}}]}`
	if err := os.WriteFile(path, []byte(plan), 0o600); err != nil {
		t.Fatal(err)
	}
	got := readCounts(path)
	if got.Additions != 2 || got.Changes != 1 || got.Destructions != 2 || got.Imports != 1 {
		t.Fatalf("counts = %+v", got)
	}
	if got := readCounts(filepath.Join(t.TempDir(), "missing")); got.Additions != 0 {
		t.Fatalf("a missing plan counts %+v", got)
	}
}

func TestNewNeedsTerraform(t *testing.T) {
	if _, err := New(nil, Config{}); err == nil {
		t.Fatal("New without a Terraform binary succeeded")
	}
}

// TestWithSchemas: a structured run's JSON plan gains the providers'
// schemas the CLI's renderer reads; unparsable input leaves it as it was.
func TestWithSchemas(t *testing.T) {
	plan := []byte(`{"format_version":"1.2","resource_changes":[]}`)
	schemas := []byte(`{"format_version":"1.0","provider_schemas":{"registry.terraform.io/hashicorp/null":{"resource_schemas":{}}}}`)
	var got map[string]json.RawMessage
	if err := json.Unmarshal(withSchemas(plan, schemas), &got); err != nil {
		t.Fatal(err)
	}
	if string(got["format_version"]) != `"1.2"` || string(got["provider_schemas"]) != `{"registry.terraform.io/hashicorp/null":{"resource_schemas":{}}}` ||
		string(got["resource_changes"]) != "[]" || string(got["plan_format_version"]) != `"1.2"` || string(got["provider_format_version"]) != `"1.0"` {
		t.Fatalf("merged = %s", got)
	}
	if out := withSchemas(plan, []byte("not json")); string(out) != string(plan) {
		t.Fatalf("bad schemas changed the plan: %s", out)
	}
	if out := withSchemas([]byte("{}x"), schemas); string(out) != "{}x" {
		t.Fatalf("a bad plan changed: %s", out)
	}
}

// TestApplyHeader: an apply's log gets the end of the agent's header the
// CLI skips, so Terraform's first lines are shown.
func TestApplyHeader(t *testing.T) {
	for n, want := range map[int]int{0: 3, 1: 2, 2: 1, 3: 0, 5: 0} {
		got := applyHeader(n)
		if len(got) != want || (want > 0 && got[len(got)-1] != "Initializing plugins and modules...") {
			t.Errorf("applyHeader(%d) = %q", n, got)
		}
	}
}
