package tfc_test

import (
	"testing"
	"time"

	tfe "github.com/hashicorp/go-tfe"
	"github.com/hashicorp/jsonapi"
)

func TestProjectAutoDestroyAndExecutionRules(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	p := must[*tfe.Project](t)(c.Projects.Create(ctx(), "my-org", tfe.ProjectCreateOptions{Name: "Ephemeral",
		AutoDestroyActivityDuration: jsonapi.NewNullableAttrWithValue("3d")}))
	if d, _ := p.AutoDestroyActivityDuration.Get(); d != "3d" {
		t.Fatalf("project duration = %q", d)
	}
	// Its workspaces inherit the duration.
	w := must[*tfe.Workspace](t)(c.Workspaces.Create(ctx(), "my-org", tfe.WorkspaceCreateOptions{Name: tfe.String("ephemeral-ws"), Project: p}))
	if d, _ := w.AutoDestroyActivityDuration.Get(); d != "3d" || !w.InheritsProjectAutoDestroy {
		t.Fatalf("workspace duration = %q, inherits %v", d, w.InheritsProjectAutoDestroy)
	}
	// A workspace's own duration replaces the project's; inheriting again
	// brings the project's back.
	w = must[*tfe.Workspace](t)(c.Workspaces.UpdateByID(ctx(), w.ID, tfe.WorkspaceUpdateOptions{AutoDestroyActivityDuration: jsonapi.NewNullableAttrWithValue("12h")}))
	if d, _ := w.AutoDestroyActivityDuration.Get(); d != "12h" || w.InheritsProjectAutoDestroy {
		t.Fatalf("own duration = %q, inherits %v", d, w.InheritsProjectAutoDestroy)
	}
	w = must[*tfe.Workspace](t)(c.Workspaces.UpdateByID(ctx(), w.ID, tfe.WorkspaceUpdateOptions{InheritsProjectAutoDestroy: tfe.Bool(true)}))
	if d, _ := w.AutoDestroyActivityDuration.Get(); d != "3d" || !w.InheritsProjectAutoDestroy {
		t.Fatalf("inheriting again: %q, inherits %v", d, w.InheritsProjectAutoDestroy)
	}
	status, _, body := e.raw("PATCH", "/api/v2/workspaces/"+w.ID, e.owner, `{"data":{"type":"workspaces","attributes":{"auto-destroy-activity-duration":"1w"}}}`)
	if status != 422 || body != `{"errors":[{"status":"422","title":"invalid attribute","detail":"Auto destroy activity duration has an incorrect format, we expect up to 4 numeric digits and 1 unit ('d' or 'h')","source":{"pointer":"/data/attributes/auto-destroy-activity-duration"}}]}` {
		t.Fatalf("bad workspace duration: %d %s", status, body)
	}
	// null clears it.
	p = must[*tfe.Project](t)(c.Projects.Update(ctx(), p.ID, tfe.ProjectUpdateOptions{AutoDestroyActivityDuration: jsonapi.NewNullNullableAttr[string]()}))
	if p.AutoDestroyActivityDuration.IsSpecified() && !p.AutoDestroyActivityDuration.IsNull() {
		t.Fatalf("after clearing: %v", p.AutoDestroyActivityDuration)
	}

	for _, tc := range []struct{ name, body, want string }{
		{"duration in minutes", `{"data":{"type":"projects","attributes":{"name":"Bad","auto-destroy-activity-duration":"20m"}}}`,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"Auto destroy activity duration has an incorrect format, we expect up to 4 numeric digits and 1 unit ('d' or 'h')","source":{"pointer":"/data/attributes/auto-destroy-activity-duration"}}]}`},
		{"agent mode without a pool", `{"data":{"type":"projects","attributes":{"name":"Bad","default-execution-mode":"agent"}}}`,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"Default agent pool must be specified when using 'agent' execution mode","source":{"pointer":"/data/attributes/default-agent-pool-id"}}]}`},
		{"overwrites that disagree", `{"data":{"type":"projects","attributes":{"name":"Bad","setting-overwrites":{"default-execution-mode":true,"default-agent-pool":false}}}}`,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"If agent-pool and execution-mode are both included in setting-overwrites, their values must be the same.","source":{"pointer":"/data/attributes/setting-overwrites"}}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := e.raw("POST", "/api/v2/organizations/my-org/projects", e.owner, tc.body)
			if status != 422 || body != tc.want {
				t.Fatalf("%d %s\nwant 422 %s", status, body, tc.want)
			}
		})
	}
	if list := must[*tfe.ProjectList](t)(c.Projects.List(ctx(), "my-org", &tfe.ProjectListOptions{Name: "Bad"})); len(list.Items) != 0 {
		t.Fatalf("a refused create made %d projects", len(list.Items))
	}

	// Overwrites set to false: the project follows the organization again.
	pool := must[*tfe.AgentPool](t)(c.AgentPools.Create(ctx(), "my-org", tfe.AgentPoolCreateOptions{Name: tfe.String("proj-pool")}))
	own := must[*tfe.Project](t)(c.Projects.Create(ctx(), "my-org", tfe.ProjectCreateOptions{Name: "Own Agents",
		DefaultExecutionMode: tfe.String("agent"), DefaultAgentPoolID: tfe.String(pool.ID)}))
	if own.DefaultExecutionMode != "agent" || !*own.SettingOverwrites.ExecutionMode {
		t.Fatalf("own settings = %s %+v", own.DefaultExecutionMode, own.SettingOverwrites)
	}
	back := must[*tfe.Project](t)(c.Projects.Update(ctx(), own.ID, tfe.ProjectUpdateOptions{
		SettingOverwrites: &tfe.ProjectSettingOverwrites{ExecutionMode: tfe.Bool(false), AgentPool: tfe.Bool(false)}}))
	org := must[*tfe.Organization](t)(c.Organizations.Read(ctx(), "my-org"))
	if back.DefaultExecutionMode != org.DefaultExecutionMode || *back.SettingOverwrites.ExecutionMode {
		t.Fatalf("after inheriting: %s %+v, organization %s", back.DefaultExecutionMode, back.SettingOverwrites, org.DefaultExecutionMode)
	}
}

func TestWorkspaceAutoDestroyAtClears(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	w := must[*tfe.Workspace](t)(c.Workspaces.Create(ctx(), "my-org", tfe.WorkspaceCreateOptions{Name: tfe.String("doomed"), AutoDestroyAt: tfe.NullableTime(at)}))
	if got, _ := w.AutoDestroyAt.Get(); !got.Equal(at) {
		t.Fatalf("auto-destroy-at = %v", got)
	}
	// Leaving it out keeps it; null clears it.
	w = must[*tfe.Workspace](t)(c.Workspaces.UpdateByID(ctx(), w.ID, tfe.WorkspaceUpdateOptions{Description: tfe.String("kept")}))
	if got, _ := w.AutoDestroyAt.Get(); !got.Equal(at) {
		t.Fatalf("after an unrelated update: %v", got)
	}
	w = must[*tfe.Workspace](t)(c.Workspaces.UpdateByID(ctx(), w.ID, tfe.WorkspaceUpdateOptions{AutoDestroyAt: tfe.NullTime()}))
	if w.AutoDestroyAt != nil {
		t.Fatalf("after null: %v", w.AutoDestroyAt)
	}
}
