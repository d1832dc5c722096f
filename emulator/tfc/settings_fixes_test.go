package tfc_test

import (
	"strings"
	"testing"

	tfe "github.com/hashicorp/go-tfe"
)

func TestWorkspaceSettingOverwritesFalseInherits(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	pool := must[*tfe.AgentPool](t)(c.AgentPools.Create(ctx(), "my-org", tfe.AgentPoolCreateOptions{Name: tfe.String("p")}))
	for _, tc := range []struct {
		name   string
		create tfe.WorkspaceCreateOptions
		update tfe.WorkspaceUpdateOptions
	}{
		{"own local mode", tfe.WorkspaceCreateOptions{Name: tfe.String("inherit-local"), ExecutionMode: tfe.String("local")},
			tfe.WorkspaceUpdateOptions{SettingOverwrites: &tfe.WorkspaceSettingOverwritesOptions{ExecutionMode: tfe.Bool(false), AgentPool: tfe.Bool(false)}}},
		{"own agent pool", tfe.WorkspaceCreateOptions{Name: tfe.String("inherit-agent"), ExecutionMode: tfe.String("agent"), AgentPoolID: tfe.String(pool.ID)},
			tfe.WorkspaceUpdateOptions{SettingOverwrites: &tfe.WorkspaceSettingOverwritesOptions{ExecutionMode: tfe.Bool(false), AgentPool: tfe.Bool(false)}}},
		{"agent pool only", tfe.WorkspaceCreateOptions{Name: tfe.String("inherit-pool"), ExecutionMode: tfe.String("agent"), AgentPoolID: tfe.String(pool.ID)},
			tfe.WorkspaceUpdateOptions{SettingOverwrites: &tfe.WorkspaceSettingOverwritesOptions{AgentPool: tfe.Bool(false)}}},
	} {
		w := must[*tfe.Workspace](t)(c.Workspaces.Create(ctx(), "my-org", tc.create))
		if !*w.SettingOverwrites.ExecutionMode {
			t.Fatalf("%s: created without its own mode: %+v", tc.name, w.SettingOverwrites)
		}
		u := must[*tfe.Workspace](t)(c.Workspaces.UpdateByID(ctx(), w.ID, tc.update))
		if u.ExecutionMode != "remote" || u.AgentPool != nil || *u.SettingOverwrites.ExecutionMode || *u.SettingOverwrites.AgentPool || !u.Operations {
			t.Errorf("%s: after setting-overwrites false: mode %q pool %+v overwrites %v/%v operations %v", tc.name,
				u.ExecutionMode, u.AgentPool, *u.SettingOverwrites.ExecutionMode, *u.SettingOverwrites.AgentPool, u.Operations)
		}
		// It now follows the organization's default.
		must[*tfe.Organization](t)(c.Organizations.Update(ctx(), "my-org", tfe.OrganizationUpdateOptions{DefaultExecutionMode: tfe.String("local")}))
		if r := must[*tfe.Workspace](t)(c.Workspaces.ReadByID(ctx(), w.ID)); r.ExecutionMode != "local" || r.Operations {
			t.Errorf("%s: does not inherit the organization's mode: %q operations %v", tc.name, r.ExecutionMode, r.Operations)
		}
		must[*tfe.Organization](t)(c.Organizations.Update(ctx(), "my-org", tfe.OrganizationUpdateOptions{DefaultExecutionMode: tfe.String("remote")}))
	}
}

func TestWorkspaceSettingOverwritesThatDisagreeAreRefused(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	w := must[*tfe.Workspace](t)(c.Workspaces.Create(ctx(), "my-org", tfe.WorkspaceCreateOptions{Name: tfe.String("disagree"), ExecutionMode: tfe.String("local")}))
	status, _, body := e.raw("PATCH", "/api/v2/workspaces/"+w.ID, e.owner,
		`{"data":{"type":"workspaces","attributes":{"setting-overwrites":{"execution-mode":false,"agent-pool":true}}}}`)
	want := `{"errors":[{"status":"422","title":"invalid attribute","detail":"If agent-pool and execution-mode are both included in setting-overwrites, their values must be the same.","source":{"pointer":"/data/attributes/setting-overwrites"}}]}`
	if status != 422 || body != want {
		t.Fatalf("disagreeing overwrites: %d %s", status, body)
	}
	if r := must[*tfe.Workspace](t)(c.Workspaces.ReadByID(ctx(), w.ID)); r.ExecutionMode != "local" || !*r.SettingOverwrites.ExecutionMode {
		t.Fatalf("the refused update changed the workspace: %q %v", r.ExecutionMode, *r.SettingOverwrites.ExecutionMode)
	}
}

func TestWorkspaceOperationsIsExecutionMode(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	w := must[*tfe.Workspace](t)(c.Workspaces.Create(ctx(), "my-org", tfe.WorkspaceCreateOptions{Name: tfe.String("ops"), Operations: tfe.Bool(false)}))
	if w.ExecutionMode != "local" || w.Operations || !*w.SettingOverwrites.ExecutionMode {
		t.Fatalf("operations false: mode %q operations %v", w.ExecutionMode, w.Operations)
	}
	w = must[*tfe.Workspace](t)(c.Workspaces.UpdateByID(ctx(), w.ID, tfe.WorkspaceUpdateOptions{Operations: tfe.Bool(true)}))
	if w.ExecutionMode != "remote" || !w.Operations {
		t.Fatalf("operations true: mode %q operations %v", w.ExecutionMode, w.Operations)
	}
	w = must[*tfe.Workspace](t)(c.Workspaces.UpdateByID(ctx(), w.ID, tfe.WorkspaceUpdateOptions{ExecutionMode: tfe.String("local")}))
	if w.ExecutionMode != "local" || w.Operations {
		t.Fatalf("execution-mode local: operations %v", w.Operations)
	}
	// Sent together (go-tfe refuses it; raw HTTP does not), the mode wins.
	status, _, body := e.raw("PATCH", "/api/v2/workspaces/"+w.ID, e.owner,
		`{"data":{"type":"workspaces","attributes":{"operations":false,"execution-mode":"remote"}}}`)
	if status != 200 || !strings.Contains(body, `"execution-mode":"remote"`) || !strings.Contains(body, `"operations":true`) {
		t.Fatalf("both: %d %s", status, body)
	}
	if w.Source != tfe.WorkspaceSourceAPI || w.SourceName != "" || w.SourceURL != "" {
		t.Fatalf("source = %q %q %q", w.Source, w.SourceName, w.SourceURL)
	}
	if !strings.Contains(body, `"source":"tfe-api","source-name":null,"source-url":null`) {
		t.Fatalf("source attributes: %s", body)
	}
}

func TestNewOrganizationDefaults(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	o := must[*tfe.Organization](t)(c.Organizations.Create(ctx(), tfe.OrganizationCreateOptions{Name: tfe.String("fresh-org"), Email: tfe.String("f@example.com")}))
	if !o.AggregatedCommitStatusEnabled || !o.SpeculativePlanManagementEnabled {
		t.Fatalf("defaults: aggregated %v speculative management %v", o.AggregatedCommitStatusEnabled, o.SpeculativePlanManagementEnabled)
	}
	o = must[*tfe.Organization](t)(c.Organizations.Update(ctx(), "fresh-org", tfe.OrganizationUpdateOptions{SpeculativePlanManagementEnabled: tfe.Bool(false)}))
	if o.SpeculativePlanManagementEnabled || !o.AggregatedCommitStatusEnabled {
		t.Fatalf("after update: %+v", o)
	}
}

func TestVariableSetListIncludes(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	w := must[*tfe.Workspace](t)(c.Workspaces.Read(ctx(), "my-org", "my-workspace"))
	prj := must[*tfe.Project](t)(c.Projects.Create(ctx(), "my-org", tfe.ProjectCreateOptions{Name: "inc-prj"}))
	vs := must[*tfe.VariableSet](t)(c.VariableSets.Create(ctx(), "my-org", &tfe.VariableSetCreateOptions{
		Name: tfe.String("inc"), Global: tfe.Bool(false),
	}))
	if err := c.VariableSets.ApplyToWorkspaces(ctx(), vs.ID, &tfe.VariableSetApplyToWorkspacesOptions{Workspaces: []*tfe.Workspace{w}}); err != nil {
		t.Fatal(err)
	}
	if err := c.VariableSets.ApplyToProjects(ctx(), vs.ID, tfe.VariableSetApplyToProjectsOptions{Projects: []*tfe.Project{prj}}); err != nil {
		t.Fatal(err)
	}
	must[*tfe.VariableSetVariable](t)(c.VariableSetVariables.Create(ctx(), vs.ID, &tfe.VariableSetVariableCreateOptions{
		Key: tfe.String("k"), Value: tfe.String("v"), Category: tfe.Category(tfe.CategoryEnv)}))
	list := must[*tfe.VariableSetList](t)(c.VariableSets.List(ctx(), "my-org", &tfe.VariableSetListOptions{Include: "workspaces,projects,vars"}))
	var got *tfe.VariableSet
	for _, s := range list.Items {
		if s.ID == vs.ID {
			got = s
		}
	}
	if got == nil || len(got.Workspaces) != 1 || got.Workspaces[0].Name != "my-workspace" ||
		len(got.Projects) != 1 || got.Projects[0].Name != "inc-prj" || len(got.Variables) != 1 || got.Variables[0].Key != "k" {
		t.Fatalf("listed set = %+v", got)
	}
	_, err := c.VariableSets.List(ctx(), "my-org", &tfe.VariableSetListOptions{Include: "teams"})
	wantErr(t, err, tfe.ErrInvalidIncludeValue)
}
