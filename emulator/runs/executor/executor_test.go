package executor

import (
	"context"
	"encoding/json"
	"errors"
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

// noRuns is a Service with nothing to run, for the directory tests.
type noRuns struct{}

func (noRuns) ClaimRuns(string) []tfc.RunClaim { return nil }
func (noRuns) ExecutionJob(context.Context, string, string) (*tfc.RunJob, error) {
	return nil, errors.New("no job")
}
func (noRuns) AppendRunLog(string, string, []string) error       { return nil }
func (noRuns) FinishPhase(string, string, tfc.PhaseResult) error { return nil }
func (noRuns) CancelRunning() []string                           { return nil }

// Without a Dir, the temporary run directory is made by the first run
// that needs it, not by New, and Close removes it; a given Dir is made by
// New and kept.
func TestRunDirectory(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	x, err := New(noRuns{}, Config{Terraform: "terraform"})
	if err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Fatalf("New made %d entries in TMPDIR", len(entries))
	}
	dir, err := x.runDir("run-1")
	if err != nil || filepath.Dir(filepath.Dir(dir)) != tmp || !strings.HasPrefix(filepath.Base(filepath.Dir(dir)), "tfcemu-runs-") {
		t.Fatalf("runDir = %q, %v", dir, err)
	}
	if again, _ := x.runDir("run-2"); filepath.Dir(again) != filepath.Dir(dir) {
		t.Fatalf("a second run went to %q, the first to %q", again, dir)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Fatalf("Close left %d entries in TMPDIR", len(entries))
	}

	given := filepath.Join(tmp, "runs")
	y, err := New(noRuns{}, Config{Terraform: "terraform", Dir: given})
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(given); err != nil || !fi.IsDir() {
		t.Fatalf("New did not make the given Dir: %v", err)
	}
	if dir, err := y.runDir("run-1"); err != nil || dir != filepath.Join(given, "run-1") {
		t.Fatalf("runDir = %q, %v", dir, err)
	}
	if err := y.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(given); err != nil {
		t.Fatalf("Close removed the given Dir: %v", err)
	}
}
