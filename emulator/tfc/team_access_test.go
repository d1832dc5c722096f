package tfc_test

import (
	"strings"
	"testing"

	tfe "github.com/hashicorp/go-tfe"
)

// developers is the seed's team of the member user, without organization
// access.
const developers = "team-tfcemuDevsMyorg1"

func TestTeamAccessesLifecycle(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	w := must[*tfe.Workspace](t)(c.Workspaces.Create(ctx(), "my-org", tfe.WorkspaceCreateOptions{Name: tfe.String("access-ws")}))
	team := must[*tfe.Team](t)(c.Teams.Create(ctx(), "my-org", tfe.TeamCreateOptions{Name: tfe.String("ops")}))

	ta := must[*tfe.TeamAccess](t)(c.TeamAccess.Add(ctx(), tfe.TeamAccessAddOptions{Access: tfe.Access(tfe.AccessAdmin), Team: team, Workspace: w}))
	read := must[*tfe.TeamAccess](t)(c.TeamAccess.Read(ctx(), ta.ID))
	for _, got := range []*tfe.TeamAccess{ta, read} {
		if got.Access != tfe.AccessAdmin || got.Runs != tfe.RunsPermissionApply || got.Variables != tfe.VariablesPermissionWrite ||
			got.StateVersions != tfe.StateVersionsPermissionWrite || got.SentinelMocks != tfe.SentinelMocksPermissionRead ||
			!got.WorkspaceLocking || !got.RunTasks || got.Team.ID != team.ID || got.Workspace.ID != w.ID {
			t.Fatalf("admin access = %+v", got)
		}
	}

	// One access per team and workspace.
	_, err := c.TeamAccess.Add(ctx(), tfe.TeamAccessAddOptions{Access: tfe.Access(tfe.AccessRead), Team: team, Workspace: w})
	wantErrText(t, err, "Team has already been taken")

	// Permission attributes only go with custom.
	_, err = c.TeamAccess.Add(ctx(), tfe.TeamAccessAddOptions{Access: tfe.Access(tfe.AccessRead), Runs: tfe.RunsPermission(tfe.RunsPermissionApply),
		Team: must[*tfe.Team](t)(c.Teams.Read(ctx(), developers)), Workspace: w})
	if err == nil || err.Error() != "invalid attribute\n\nRuns is read-only when access level is 'read'; use the 'custom' access level to set this attribute." {
		t.Fatalf("read with runs: %v", err)
	}

	dev := must[*tfe.Team](t)(c.Teams.Read(ctx(), developers))
	custom := must[*tfe.TeamAccess](t)(c.TeamAccess.Add(ctx(), tfe.TeamAccessAddOptions{Access: tfe.Access(tfe.AccessCustom),
		Runs: tfe.RunsPermission(tfe.RunsPermissionRead), StateVersions: tfe.StateVersionsPermission(tfe.StateVersionsPermissionNone), Team: dev, Workspace: w}))
	if custom.Runs != tfe.RunsPermissionRead || custom.Variables != tfe.VariablesPermissionNone || custom.StateVersions != tfe.StateVersionsPermissionNone ||
		custom.SentinelMocks != tfe.SentinelMocksPermissionNone || custom.WorkspaceLocking || custom.RunTasks {
		t.Fatalf("custom defaults = %+v", custom)
	}

	list := must[*tfe.TeamAccessList](t)(c.TeamAccess.List(ctx(), &tfe.TeamAccessListOptions{WorkspaceID: w.ID}))
	if len(list.Items) != 2 || list.Items[0].ID != ta.ID || list.Items[1].ID != custom.ID || list.TotalCount != 2 {
		t.Fatalf("list = %d items, total %d", len(list.Items), list.TotalCount)
	}
	status, _, raw := e.raw("GET", "/api/v2/team-workspaces?filter[workspace][id]="+w.ID+"&filter[team][id]="+developers, e.owner, "")
	if status != 200 || !strings.Contains(raw, custom.ID) || strings.Contains(raw, ta.ID) {
		t.Fatalf("filtered by team: %d %s", status, raw)
	}
	page := must[*tfe.TeamAccessList](t)(c.TeamAccess.List(ctx(), &tfe.TeamAccessListOptions{WorkspaceID: w.ID, ListOptions: tfe.ListOptions{PageNumber: 999, PageSize: 100}}))
	if len(page.Items) != 0 || page.CurrentPage != 999 || page.TotalCount != 2 {
		t.Fatalf("page 999 = %d items, page %d, total %d", len(page.Items), page.CurrentPage, page.TotalCount)
	}

	// Going custom keeps what the admin level gave, except what is sent.
	up := must[*tfe.TeamAccess](t)(c.TeamAccess.Update(ctx(), ta.ID, tfe.TeamAccessUpdateOptions{Access: tfe.Access(tfe.AccessCustom), Runs: tfe.RunsPermission(tfe.RunsPermissionPlan)}))
	if up.Access != tfe.AccessCustom || up.Runs != tfe.RunsPermissionPlan || up.Variables != tfe.VariablesPermissionWrite || !up.WorkspaceLocking {
		t.Fatalf("custom update = %+v", up)
	}
	// A fixed level again replaces every permission.
	up = must[*tfe.TeamAccess](t)(c.TeamAccess.Update(ctx(), ta.ID, tfe.TeamAccessUpdateOptions{Access: tfe.Access(tfe.AccessRead)}))
	if up.Runs != tfe.RunsPermissionRead || up.Variables != tfe.VariablesPermissionRead || up.StateVersions != tfe.StateVersionsPermissionRead || up.WorkspaceLocking {
		t.Fatalf("read update = %+v", up)
	}
	// A refused update changes nothing.
	_, err = c.TeamAccess.Update(ctx(), ta.ID, tfe.TeamAccessUpdateOptions{RunTasks: tfe.Bool(true)})
	wantErrText(t, err, "Run tasks is read-only when access level is 'read'")
	if again := must[*tfe.TeamAccess](t)(c.TeamAccess.Read(ctx(), ta.ID)); again.Access != tfe.AccessRead || again.RunTasks {
		t.Fatalf("after a refused update: %+v", again)
	}

	must[struct{}](t)(struct{}{}, c.TeamAccess.Remove(ctx(), ta.ID))
	_, err = c.TeamAccess.Read(ctx(), ta.ID)
	wantErr(t, err, tfe.ErrResourceNotFound)
	wantErr(t, c.TeamAccess.Remove(ctx(), ta.ID), tfe.ErrResourceNotFound)
}

func TestTeamAccessesWireErrors(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	w := must[*tfe.Workspace](t)(c.Workspaces.Read(ctx(), "my-org", "my-workspace"))
	other := must[*tfe.TeamList](t)(c.Teams.List(ctx(), "hashicorp-vault-testing", nil)).Items[0]
	body := func(attrs, team, ws string) string {
		return `{"data":{"type":"team-workspaces","attributes":` + attrs + `,"relationships":{"team":{"data":{"type":"teams","id":"` + team +
			`"}},"workspace":{"data":{"type":"workspaces","id":"` + ws + `"}}}}}`
	}
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"list without its filter", "GET", "/api/v2/team-workspaces", "", 400,
			`{"errors":[{"status":"400","title":"bad request","detail":"filter[workspace][id] is required","source":{"parameter":"filter[workspace][id]"}}]}`},
		{"list of an unknown workspace", "GET", "/api/v2/team-workspaces?filter[workspace][id]=ws-nope", "", 404, `{"errors":[{"status":"404","title":"not found"}]}`},
		{"an unknown level", "POST", "/api/v2/team-workspaces", body(`{"access":"owner"}`, developers, w.ID), 422,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"Access is not included in the list","source":{"pointer":"/data/attributes/access"}}]}`},
		{"no level", "POST", "/api/v2/team-workspaces", body(`{}`, developers, w.ID), 422,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"Access can't be blank","source":{"pointer":"/data/attributes/access"}}]}`},
		{"custom attributes with a fixed level, and a bad value", "POST", "/api/v2/team-workspaces",
			body(`{"access":"write","variables":"read","state-versions":"all"}`, developers, w.ID), 422,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"State versions is not included in the list","source":{"pointer":"/data/attributes/state-versions"}},` +
				`{"status":"422","title":"invalid attribute","detail":"Variables is read-only when access level is 'write'; use the 'custom' access level to set this attribute.","source":{"pointer":"/data/attributes/variables"}}]}`},
		{"an unknown team", "POST", "/api/v2/team-workspaces", body(`{"access":"read"}`, "team-nope", w.ID), 404, `{"errors":[{"status":"404","title":"not found"}]}`},
		{"an unknown workspace", "POST", "/api/v2/team-workspaces", body(`{"access":"read"}`, developers, "ws-nope"), 404, `{"errors":[{"status":"404","title":"not found"}]}`},
		{"another organization's team", "POST", "/api/v2/team-workspaces", body(`{"access":"read"}`, other.ID, w.ID), 422,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"Team must belong to the same organization as the workspace","source":{"pointer":"/data/relationships/team/data/id"}}]}`},
		{"a wrong type", "POST", "/api/v2/team-workspaces", `{"data":{"type":"teams","attributes":{"access":"read"}}}`, 409,
			`{"errors":[{"status":"409","title":"conflict","detail":"The resource type \"teams\" does not match the endpoint's type \"team-workspaces\"","source":{"pointer":"/data/type"}}]}`},
		{"an unknown access", "PATCH", "/api/v2/team-workspaces/tws-nope", `{"data":{"type":"team-workspaces","attributes":{"access":"read"}}}`, 404,
			`{"errors":[{"status":"404","title":"not found"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, got := e.raw(tc.method, tc.path, e.owner, tc.body)
			if status != tc.status || got != tc.want {
				t.Fatalf("%d %s\nwant %d %s", status, got, tc.status, tc.want)
			}
		})
	}
	if l := must[*tfe.TeamAccessList](t)(c.TeamAccess.List(ctx(), &tfe.TeamAccessListOptions{WorkspaceID: w.ID})); len(l.Items) != 0 {
		t.Fatalf("refused creates made %d accesses", len(l.Items))
	}
	// The exact document of an access.
	status, _, got := e.raw("POST", "/api/v2/team-workspaces", e.owner, body(`{"access":"plan"}`, developers, w.ID))
	id := must[*tfe.TeamAccessList](t)(c.TeamAccess.List(ctx(), &tfe.TeamAccessListOptions{WorkspaceID: w.ID})).Items[0].ID
	want := `{"data":{"id":"` + id + `","type":"team-workspaces","attributes":{"access":"plan","runs":"plan","variables":"read","state-versions":"read","sentinel-mocks":"none","workspace-locking":false,"run-tasks":false,"policy-overrides":false},` +
		`"relationships":{"team":{"data":{"id":"` + developers + `","type":"teams"},"links":{"related":"/api/v2/teams/` + developers + `"}},` +
		`"workspace":{"data":{"id":"` + w.ID + `","type":"workspaces"},"links":{"related":"/api/v2/workspaces/` + w.ID + `"}}},"links":{"self":"/api/v2/team-workspaces/` + id + `"}}}`
	if status != 201 || got != want {
		t.Fatalf("%d %s\nwant 201 %s", status, got, want)
	}
}

func TestTeamAccessCascades(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	p := must[*tfe.Project](t)(c.Projects.Create(ctx(), "my-org", tfe.ProjectCreateOptions{Name: "Cascade"}))
	w := must[*tfe.Workspace](t)(c.Workspaces.Create(ctx(), "my-org", tfe.WorkspaceCreateOptions{Name: tfe.String("cascade-ws"), Project: p}))
	team := must[*tfe.Team](t)(c.Teams.Create(ctx(), "my-org", tfe.TeamCreateOptions{Name: tfe.String("cascade")}))
	dev := must[*tfe.Team](t)(c.Teams.Read(ctx(), developers))
	byTeam := must[*tfe.TeamAccess](t)(c.TeamAccess.Add(ctx(), tfe.TeamAccessAddOptions{Access: tfe.Access(tfe.AccessRead), Team: team, Workspace: w}))
	byWorkspace := must[*tfe.TeamAccess](t)(c.TeamAccess.Add(ctx(), tfe.TeamAccessAddOptions{Access: tfe.Access(tfe.AccessRead), Team: dev, Workspace: w}))
	projectByTeam := must[*tfe.TeamProjectAccess](t)(c.TeamProjectAccess.Add(ctx(), tfe.TeamProjectAccessAddOptions{Access: tfe.TeamProjectAccessRead, Team: team, Project: p}))
	projectByProject := must[*tfe.TeamProjectAccess](t)(c.TeamProjectAccess.Add(ctx(), tfe.TeamProjectAccessAddOptions{Access: tfe.TeamProjectAccessRead, Team: dev, Project: p}))

	must[struct{}](t)(struct{}{}, c.Teams.Delete(ctx(), team.ID))
	_, err := c.TeamAccess.Read(ctx(), byTeam.ID)
	wantErr(t, err, tfe.ErrResourceNotFound)
	_, err = c.TeamProjectAccess.Read(ctx(), projectByTeam.ID)
	wantErr(t, err, tfe.ErrResourceNotFound)

	must[struct{}](t)(struct{}{}, c.Workspaces.DeleteByID(ctx(), w.ID))
	_, err = c.TeamAccess.Read(ctx(), byWorkspace.ID)
	wantErr(t, err, tfe.ErrResourceNotFound)
	must[*tfe.TeamProjectAccess](t)(c.TeamProjectAccess.Read(ctx(), projectByProject.ID))

	must[struct{}](t)(struct{}{}, c.Projects.Delete(ctx(), p.ID))
	_, err = c.TeamProjectAccess.Read(ctx(), projectByProject.ID)
	wantErr(t, err, tfe.ErrResourceNotFound)
}
