package tfc_test

import (
	"testing"

	tfe "github.com/hashicorp/go-tfe"
)

// TestReadRunIncludesWorkspaceAndPhases: GET /runs/:id?include=workspace,
// plan,apply (what the Terraform CLI's cloud backend asks for after a
// plan's logs) includes the workspace with its structured run output
// setting and the run's plan and apply; other include values are ignored.
func TestReadRunIncludesWorkspaceAndPhases(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	w := must[*tfe.Workspace](t)(c.Workspaces.Read(ctx(), "my-org", "my-workspace"))
	r := must[*tfe.Run](t)(c.Runs.Create(ctx(), tfe.RunCreateOptions{Workspace: w}))
	for _, structured := range []bool{true, false} {
		must[*tfe.Workspace](t)(c.Workspaces.UpdateByID(ctx(), w.ID, tfe.WorkspaceUpdateOptions{StructuredRunOutputEnabled: tfe.Bool(structured)}))
		got := must[*tfe.Run](t)(c.Runs.ReadWithOptions(ctx(), r.ID, &tfe.RunReadOptions{
			Include: []tfe.RunIncludeOpt{tfe.RunWorkspace, tfe.RunPlan, tfe.RunApply, tfe.RunCreatedBy}}))
		if got.Workspace == nil || got.Workspace.Name != "my-workspace" || got.Workspace.StructuredRunOutputEnabled != structured {
			t.Fatalf("structured %v: workspace = %+v", structured, got.Workspace)
		}
		if got.Plan == nil || got.Plan.ID != r.Plan.ID || got.Plan.Status == "" || got.Apply == nil || got.Apply.ID != r.Apply.ID || got.Apply.Status == "" {
			t.Fatalf("plan %+v apply %+v", got.Plan, got.Apply)
		}
	}
	plain := must[*tfe.Run](t)(c.Runs.Read(ctx(), r.ID))
	if plain.Workspace == nil || plain.Workspace.Name != "" || plain.Plan == nil || plain.Plan.Status != "" {
		t.Fatalf("a run read without include carries %+v %+v", plain.Workspace, plain.Plan)
	}
}
