package tfc_test

import (
	"testing"

	tfe "github.com/hashicorp/go-tfe"
)

func TestTeamProjectAccessesLifecycle(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	p := must[*tfe.Project](t)(c.Projects.Create(ctx(), "my-org", tfe.ProjectCreateOptions{Name: "Access"}))
	team := must[*tfe.Team](t)(c.Teams.Create(ctx(), "my-org", tfe.TeamCreateOptions{Name: tfe.String("ops")}))
	dev := must[*tfe.Team](t)(c.Teams.Read(ctx(), developers))

	admin := must[*tfe.TeamProjectAccess](t)(c.TeamProjectAccess.Add(ctx(), tfe.TeamProjectAccessAddOptions{Access: tfe.TeamProjectAccessAdmin, Team: team, Project: p}))
	read := must[*tfe.TeamProjectAccess](t)(c.TeamProjectAccess.Read(ctx(), admin.ID))
	for _, got := range []*tfe.TeamProjectAccess{admin, read} {
		pa, wa := got.ProjectAccess, got.WorkspaceAccess
		if got.Access != tfe.TeamProjectAccessAdmin || got.Team.ID != team.ID || got.Project.ID != p.ID ||
			pa.ProjectSettingsPermission != tfe.ProjectSettingsPermissionDelete || pa.ProjectTeamsPermission != tfe.ProjectTeamsPermissionManage ||
			wa.WorkspaceRunsPermission != tfe.WorkspaceRunsPermissionApply || !wa.WorkspaceCreatePermission || !wa.WorkspaceMovePermission || !wa.WorkspaceDeletePermission {
			t.Fatalf("admin access = %+v %+v %+v", got, pa, wa)
		}
	}
	_, err := c.TeamProjectAccess.Add(ctx(), tfe.TeamProjectAccessAddOptions{Access: tfe.TeamProjectAccessRead, Team: team, Project: p})
	wantErrText(t, err, "Team has already been taken")

	// Custom, as go-tfe's suite sends it: every workspace permission named.
	custom := must[*tfe.TeamProjectAccess](t)(c.TeamProjectAccess.Add(ctx(), tfe.TeamProjectAccessAddOptions{Access: tfe.TeamProjectAccessCustom, Team: dev, Project: p,
		ProjectAccess: &tfe.TeamProjectAccessProjectPermissionsOptions{},
		WorkspaceAccess: &tfe.TeamProjectAccessWorkspacePermissionsOptions{
			Runs: tfe.WorkspaceRunsPermission(tfe.WorkspaceRunsPermissionApply), SentinelMocks: tfe.WorkspaceSentinelMocksPermission(tfe.WorkspaceSentinelMocksPermissionRead),
			StateVersions: tfe.WorkspaceStateVersionsPermission(tfe.WorkspaceStateVersionsPermissionWrite), Variables: tfe.WorkspaceVariablesPermission(tfe.WorkspaceVariablesPermissionWrite),
			Create: tfe.Bool(true), Locking: tfe.Bool(true), Move: tfe.Bool(true), Delete: tfe.Bool(false), RunTasks: tfe.Bool(false)}}))
	if wa := custom.WorkspaceAccess; wa.WorkspaceRunsPermission != tfe.WorkspaceRunsPermissionApply || wa.WorkspaceStateVersionsPermission != tfe.WorkspaceStateVersionsPermissionWrite ||
		!wa.WorkspaceCreatePermission || !wa.WorkspaceLockingPermission || !wa.WorkspaceMovePermission || wa.WorkspaceDeletePermission || wa.WorkspaceRunTasksPermission ||
		custom.ProjectAccess.ProjectSettingsPermission != tfe.ProjectSettingsPermissionRead || custom.ProjectAccess.ProjectTeamsPermission != tfe.ProjectTeamsPermissionNone {
		t.Fatalf("custom = %+v %+v", custom.ProjectAccess, custom.WorkspaceAccess)
	}
	// A partial custom update keeps the rest.
	up := must[*tfe.TeamProjectAccess](t)(c.TeamProjectAccess.Update(ctx(), custom.ID, tfe.TeamProjectAccessUpdateOptions{Access: tfe.ProjectAccess(tfe.TeamProjectAccessCustom),
		ProjectAccess:   &tfe.TeamProjectAccessProjectPermissionsOptions{Teams: tfe.ProjectTeamsPermission(tfe.ProjectTeamsPermissionManage)},
		WorkspaceAccess: &tfe.TeamProjectAccessWorkspacePermissionsOptions{Create: tfe.Bool(false)}}))
	if up.ProjectAccess.ProjectTeamsPermission != tfe.ProjectTeamsPermissionManage || up.WorkspaceAccess.WorkspaceCreatePermission ||
		!up.WorkspaceAccess.WorkspaceMovePermission || up.WorkspaceAccess.WorkspaceRunsPermission != tfe.WorkspaceRunsPermissionApply {
		t.Fatalf("partial update = %+v %+v", up.ProjectAccess, up.WorkspaceAccess)
	}
	// A bad value is refused and changes nothing.
	_, err = c.TeamProjectAccess.Update(ctx(), custom.ID, tfe.TeamProjectAccessUpdateOptions{Access: tfe.ProjectAccess(tfe.TeamProjectAccessCustom),
		ProjectAccess: &tfe.TeamProjectAccessProjectPermissionsOptions{Teams: tfe.ProjectTeamsPermission("everything")}})
	wantErrText(t, err, "Project teams is not included in the list")
	if again := must[*tfe.TeamProjectAccess](t)(c.TeamProjectAccess.Read(ctx(), custom.ID)); again.ProjectAccess.ProjectTeamsPermission != tfe.ProjectTeamsPermissionManage {
		t.Fatalf("after a refused update: %+v", again.ProjectAccess)
	}
	up = must[*tfe.TeamProjectAccess](t)(c.TeamProjectAccess.Update(ctx(), admin.ID, tfe.TeamProjectAccessUpdateOptions{Access: tfe.ProjectAccess(tfe.TeamProjectAccessRead)}))
	if up.Access != tfe.TeamProjectAccessRead || up.ProjectAccess.ProjectSettingsPermission != tfe.ProjectSettingsPermissionRead || up.WorkspaceAccess.WorkspaceCreatePermission {
		t.Fatalf("read update = %+v %+v", up.ProjectAccess, up.WorkspaceAccess)
	}

	list := must[*tfe.TeamProjectAccessList](t)(c.TeamProjectAccess.List(ctx(), tfe.TeamProjectAccessListOptions{ProjectID: p.ID}))
	if len(list.Items) != 2 || list.TotalCount != 2 || list.Items[0].ID != admin.ID {
		t.Fatalf("list = %d items", len(list.Items))
	}
	page := must[*tfe.TeamProjectAccessList](t)(c.TeamProjectAccess.List(ctx(), tfe.TeamProjectAccessListOptions{ProjectID: p.ID, ListOptions: tfe.ListOptions{PageNumber: 999, PageSize: 100}}))
	if len(page.Items) != 0 || page.CurrentPage != 999 || page.TotalCount != 2 {
		t.Fatalf("page 999 = %d items", len(page.Items))
	}

	must[struct{}](t)(struct{}{}, c.TeamProjectAccess.Remove(ctx(), admin.ID))
	_, err = c.TeamProjectAccess.Read(ctx(), admin.ID)
	wantErr(t, err, tfe.ErrResourceNotFound)
	wantErr(t, c.TeamProjectAccess.Remove(ctx(), admin.ID), tfe.ErrResourceNotFound)
}

func TestTeamProjectAccessesWireErrors(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	p := must[*tfe.Project](t)(c.Projects.Create(ctx(), "my-org", tfe.ProjectCreateOptions{Name: "Wire"}))
	body := func(attrs, project string) string {
		return `{"data":{"type":"team-projects","attributes":` + attrs + `,"relationships":{"team":{"data":{"type":"teams","id":"` + developers +
			`"}},"project":{"data":{"type":"projects","id":"` + project + `"}}}}}`
	}
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"list without its filter", "GET", "/api/v2/team-projects", "", 400,
			`{"errors":[{"status":"400","title":"bad request","detail":"filter[project][id] is required","source":{"parameter":"filter[project][id]"}}]}`},
		{"an unknown level", "POST", "/api/v2/team-projects", body(`{"access":"plan"}`, p.ID), 422,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"Access is not included in the list","source":{"pointer":"/data/attributes/access"}}]}`},
		{"custom attributes with a fixed level", "POST", "/api/v2/team-projects",
			body(`{"access":"maintain","project-access":{"settings":"delete"},"workspace-access":{"move":true}}`, p.ID), 422,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"Project settings is read-only when access level is 'maintain'; use the 'custom' access level to set this attribute.","source":{"pointer":"/data/attributes/project-access/settings"}},` +
				`{"status":"422","title":"invalid attribute","detail":"Workspace move is read-only when access level is 'maintain'; use the 'custom' access level to set this attribute.","source":{"pointer":"/data/attributes/workspace-access/move"}}]}`},
		{"a bad custom value", "POST", "/api/v2/team-projects", body(`{"access":"custom","workspace-access":{"runs":"destroy"}}`, p.ID), 422,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"Workspace runs is not included in the list","source":{"pointer":"/data/attributes/workspace-access/runs"}}]}`},
		{"a wrong attribute type", "POST", "/api/v2/team-projects", body(`{"access":"custom","workspace-access":{"create":"yes"}}`, p.ID), 422,
			`{"errors":[{"status":"422","title":"invalid attribute","detail":"workspace-access.create must be a boolean, not string","source":{"pointer":"/data/attributes/workspace-access/create"}}]}`},
		{"an unknown project", "POST", "/api/v2/team-projects", body(`{"access":"read"}`, "prj-nope"), 404, `{"errors":[{"status":"404","title":"not found"}]}`},
		{"an unknown access", "GET", "/api/v2/team-projects/tprj-nope", "", 404, `{"errors":[{"status":"404","title":"not found"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, got := e.raw(tc.method, tc.path, e.owner, tc.body)
			if status != tc.status || got != tc.want {
				t.Fatalf("%d %s\nwant %d %s", status, got, tc.status, tc.want)
			}
		})
	}
	if l := must[*tfe.TeamProjectAccessList](t)(c.TeamProjectAccess.List(ctx(), tfe.TeamProjectAccessListOptions{ProjectID: p.ID})); len(l.Items) != 0 {
		t.Fatalf("refused creates made %d accesses", len(l.Items))
	}
}
