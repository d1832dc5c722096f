package tfc_test

import (
	"testing"

	tfe "github.com/hashicorp/go-tfe"
)

// can is what a caller may do on a workspace, as a matrix row states it.
type can struct{ read, readVars, writeVars, lock, queueRun, update, delete bool }

// TestWorkspacePermissionMatrix grants the member's team (developers, no
// organization access) each kind of access and checks what the member's
// user token and the team's own token may then do, and that every refused
// request leaves the workspace as it was.
func TestWorkspacePermissionMatrix(t *testing.T) {
	everything := can{true, true, true, true, true, true, true}
	for _, tc := range []struct {
		name  string
		grant grantFunc
		want  can
	}{
		{"no access", nil, can{}},
		{"workspace read", workspaceGrant(tfe.TeamAccessAddOptions{Access: tfe.Access(tfe.AccessRead)}), can{read: true, readVars: true}},
		{"workspace plan", workspaceGrant(tfe.TeamAccessAddOptions{Access: tfe.Access(tfe.AccessPlan)}), can{read: true, readVars: true, queueRun: true}},
		{"workspace write", workspaceGrant(tfe.TeamAccessAddOptions{Access: tfe.Access(tfe.AccessWrite)}),
			can{read: true, readVars: true, writeVars: true, lock: true, queueRun: true}},
		{"workspace admin", workspaceGrant(tfe.TeamAccessAddOptions{Access: tfe.Access(tfe.AccessAdmin)}), everything},
		{"workspace custom: variables only", workspaceGrant(tfe.TeamAccessAddOptions{Access: tfe.Access(tfe.AccessCustom),
			Variables: tfe.VariablesPermission(tfe.VariablesPermissionWrite)}), can{read: true, readVars: true, writeVars: true}},
		{"workspace custom: locking and plans", workspaceGrant(tfe.TeamAccessAddOptions{Access: tfe.Access(tfe.AccessCustom),
			Runs: tfe.RunsPermission(tfe.RunsPermissionPlan), WorkspaceLocking: tfe.Bool(true)}), can{read: true, lock: true, queueRun: true}},
		{"project read", projectGrant(tfe.TeamProjectAccessAddOptions{Access: tfe.TeamProjectAccessRead}), can{read: true, readVars: true}},
		{"project write", projectGrant(tfe.TeamProjectAccessAddOptions{Access: tfe.TeamProjectAccessWrite}),
			can{read: true, readVars: true, writeVars: true, lock: true, queueRun: true}},
		{"project maintain", projectGrant(tfe.TeamProjectAccessAddOptions{Access: tfe.TeamProjectAccessMaintain}), everything},
		{"project custom: delete only", projectGrant(tfe.TeamProjectAccessAddOptions{Access: tfe.TeamProjectAccessCustom,
			WorkspaceAccess: &tfe.TeamProjectAccessWorkspacePermissionsOptions{Delete: tfe.Bool(true)}}), can{read: true, delete: true}},
		{"project read and workspace write add up", func(t *testing.T, c *tfe.Client, ws *tfe.Workspace, p *tfe.Project, team *tfe.Team) {
			projectGrant(tfe.TeamProjectAccessAddOptions{Access: tfe.TeamProjectAccessRead})(t, c, ws, p, team)
			workspaceGrant(tfe.TeamAccessAddOptions{Access: tfe.Access(tfe.AccessCustom), WorkspaceLocking: tfe.Bool(true)})(t, c, ws, p, team)
		}, can{read: true, readVars: true, lock: true}},
		{"organization read-workspaces", func(t *testing.T, c *tfe.Client, _ *tfe.Workspace, _ *tfe.Project, team *tfe.Team) {
			must[*tfe.Team](t)(c.Teams.Update(ctx(), team.ID, tfe.TeamUpdateOptions{OrganizationAccess: &tfe.OrganizationAccessOptions{ReadWorkspaces: tfe.Bool(true)}}))
		}, can{read: true, readVars: true}},
		{"organization manage-projects", func(t *testing.T, c *tfe.Client, _ *tfe.Workspace, _ *tfe.Project, team *tfe.Team) {
			must[*tfe.Team](t)(c.Teams.Update(ctx(), team.ID, tfe.TeamUpdateOptions{OrganizationAccess: &tfe.OrganizationAccessOptions{ManageProjects: tfe.Bool(true)}}))
		}, everything},
	} {
		for _, who := range []string{"member", "team token"} {
			t.Run(tc.name+" as "+who, func(t *testing.T) {
				e := newEnv(t, -1)
				owner := e.client(e.owner)
				p := must[*tfe.Project](t)(owner.Projects.Create(ctx(), "my-org", tfe.ProjectCreateOptions{Name: "Matrix"}))
				ws := must[*tfe.Workspace](t)(owner.Workspaces.Create(ctx(), "my-org", tfe.WorkspaceCreateOptions{Name: tfe.String("matrix"), Project: p}))
				team := must[*tfe.Team](t)(owner.Teams.Read(ctx(), developers))
				if tc.grant != nil {
					tc.grant(t, owner, ws, p, team)
				}
				token := e.member
				if who == "team token" {
					token = must[*tfe.TeamToken](t)(owner.TeamTokens.Create(ctx(), developers)).Token
				}
				checkWorkspaceMatrix(t, owner, e.client(token), ws, tc.want)
			})
		}
	}
}

// grantFunc gives the developers team some access.
type grantFunc func(t *testing.T, c *tfe.Client, ws *tfe.Workspace, p *tfe.Project, team *tfe.Team)

func workspaceGrant(opts tfe.TeamAccessAddOptions) grantFunc {
	return func(t *testing.T, c *tfe.Client, ws *tfe.Workspace, _ *tfe.Project, team *tfe.Team) {
		opts.Team, opts.Workspace = team, ws
		must[*tfe.TeamAccess](t)(c.TeamAccess.Add(ctx(), opts))
	}
}

func projectGrant(opts tfe.TeamProjectAccessAddOptions) grantFunc {
	return func(t *testing.T, c *tfe.Client, _ *tfe.Workspace, p *tfe.Project, team *tfe.Team) {
		opts.Team, opts.Project = team, p
		must[*tfe.TeamProjectAccess](t)(c.TeamProjectAccess.Add(ctx(), opts))
	}
}

// allowed checks a call: nil when want, go-tfe's not-found otherwise.
func allowed(t *testing.T, what string, want bool, err error) {
	t.Helper()
	switch {
	case want && err != nil:
		t.Errorf("%s: %v, want it allowed", what, err)
	case !want && err != tfe.ErrResourceNotFound:
		t.Errorf("%s: %v, want a 404", what, err)
	}
}

func checkWorkspaceMatrix(t *testing.T, owner, c *tfe.Client, ws *tfe.Workspace, want can) {
	t.Helper()
	got, err := c.Workspaces.ReadByID(ctx(), ws.ID)
	allowed(t, "read", want.read, err)
	if want.read && got != nil {
		p := got.Permissions
		if p.CanReadVariable != want.readVars || p.CanUpdateVariable != want.writeVars || p.CanLock != want.lock || p.CanUnlock != want.lock ||
			p.CanQueueRun != want.queueRun || p.CanUpdate != want.update || p.CanDestroy != want.delete {
			t.Errorf("permissions attribute = %+v, want %+v", *p, want)
		}
	}
	list := must[*tfe.WorkspaceList](t)(c.Workspaces.List(ctx(), "my-org", nil))
	listed := false
	for _, w := range list.Items {
		listed = listed || w.ID == ws.ID
	}
	if listed != want.read {
		t.Errorf("listed = %v, want %v", listed, want.read)
	}

	_, err = c.Variables.List(ctx(), ws.ID, nil)
	allowed(t, "list variables", want.readVars, err)
	_, err = c.Variables.Create(ctx(), ws.ID, tfe.VariableCreateOptions{Key: tfe.String("k"), Value: tfe.String("v"), Category: tfe.Category(tfe.CategoryTerraform)})
	allowed(t, "create a variable", want.writeVars, err)
	_, err = c.Workspaces.Lock(ctx(), ws.ID, tfe.WorkspaceLockOptions{})
	allowed(t, "lock", want.lock, err)
	if want.lock {
		must[*tfe.Workspace](t)(c.Workspaces.Unlock(ctx(), ws.ID))
	}
	_, err = c.Runs.Create(ctx(), tfe.RunCreateOptions{Workspace: ws})
	allowed(t, "queue a run", want.queueRun, err)
	_, err = c.Workspaces.UpdateByID(ctx(), ws.ID, tfe.WorkspaceUpdateOptions{Description: tfe.String("changed")})
	allowed(t, "update", want.update, err)

	// What was refused left no trace.
	after := must[*tfe.Workspace](t)(owner.Workspaces.ReadByID(ctx(), ws.ID))
	vars := must[*tfe.VariableList](t)(owner.Variables.List(ctx(), ws.ID, nil))
	runs := must[*tfe.RunList](t)(owner.Runs.List(ctx(), ws.ID, nil))
	if (after.Description == "changed") != want.update || (len(vars.Items) == 1) != want.writeVars || after.Locked || (len(runs.Items) == 1) != want.queueRun {
		t.Errorf("after: description %q, %d variables, locked %v, %d runs", after.Description, len(vars.Items), after.Locked, len(runs.Items))
	}

	allowed(t, "delete", want.delete, c.Workspaces.DeleteByID(ctx(), ws.ID))
	if _, err := owner.Workspaces.ReadByID(ctx(), ws.ID); (err == nil) == want.delete {
		t.Errorf("after delete: %v", err)
	}
}

func TestProjectVisibilityAndCreateThroughProjectAccess(t *testing.T) {
	e := newEnv(t, -1)
	owner := e.client(e.owner)
	member := e.client(e.member)
	p := must[*tfe.Project](t)(owner.Projects.Create(ctx(), "my-org", tfe.ProjectCreateOptions{Name: "Visible"}))
	hidden := must[*tfe.Project](t)(owner.Projects.Create(ctx(), "my-org", tfe.ProjectCreateOptions{Name: "Hidden"}))

	// Without access the member sees no project and can create nothing.
	_, err := member.Projects.Read(ctx(), p.ID)
	wantErr(t, err, tfe.ErrResourceNotFound)
	if l := must[*tfe.ProjectList](t)(member.Projects.List(ctx(), "my-org", nil)); len(l.Items) != 0 {
		t.Fatalf("member lists %d projects", len(l.Items))
	}
	_, err = member.Workspaces.Create(ctx(), "my-org", tfe.WorkspaceCreateOptions{Name: tfe.String("mine"), Project: p})
	wantErr(t, err, tfe.ErrResourceNotFound)
	_, err = member.TeamProjectAccess.List(ctx(), tfe.TeamProjectAccessListOptions{ProjectID: p.ID})
	wantErr(t, err, tfe.ErrResourceNotFound)

	dev := must[*tfe.Team](t)(owner.Teams.Read(ctx(), developers))
	must[*tfe.TeamProjectAccess](t)(owner.TeamProjectAccess.Add(ctx(), tfe.TeamProjectAccessAddOptions{Access: tfe.TeamProjectAccessMaintain, Team: dev, Project: p}))
	if l := must[*tfe.ProjectList](t)(member.Projects.List(ctx(), "my-org", nil)); len(l.Items) != 1 || l.Items[0].ID != p.ID {
		t.Fatalf("member lists %d projects", len(l.Items))
	}
	must[*tfe.Project](t)(member.Projects.Read(ctx(), p.ID))
	_, err = member.Projects.Read(ctx(), hidden.ID)
	wantErr(t, err, tfe.ErrResourceNotFound)
	// Maintain may create workspaces in its project, not elsewhere, and may
	// neither change the project nor manage its team access.
	w := must[*tfe.Workspace](t)(member.Workspaces.Create(ctx(), "my-org", tfe.WorkspaceCreateOptions{Name: tfe.String("mine"), Project: p}))
	if !w.Permissions.CanUpdate || w.Project.ID != p.ID {
		t.Fatalf("created %+v in %v", w.Permissions, w.Project)
	}
	_, err = member.Workspaces.Create(ctx(), "my-org", tfe.WorkspaceCreateOptions{Name: tfe.String("elsewhere"), Project: hidden})
	wantErr(t, err, tfe.ErrResourceNotFound)
	_, err = member.Projects.Update(ctx(), p.ID, tfe.ProjectUpdateOptions{Name: tfe.String("Renamed")})
	wantErr(t, err, tfe.ErrResourceNotFound)
	_, err = member.TeamProjectAccess.List(ctx(), tfe.TeamProjectAccessListOptions{ProjectID: p.ID})
	wantErr(t, err, tfe.ErrResourceNotFound)
	// Moving a workspace out needs move rights on both projects.
	_, err = member.Workspaces.UpdateByID(ctx(), w.ID, tfe.WorkspaceUpdateOptions{Project: hidden})
	wantErr(t, err, tfe.ErrResourceNotFound)
	if got := must[*tfe.Workspace](t)(owner.Workspaces.ReadByID(ctx(), w.ID)); got.Project.ID != p.ID {
		t.Fatalf("a refused move moved the workspace to %s", got.Project.ID)
	}
	if got := must[*tfe.Project](t)(owner.Projects.Read(ctx(), p.ID)); got.Name != "Visible" {
		t.Fatalf("a refused update renamed the project to %q", got.Name)
	}
}

func TestWorkspaceAdminManagesTeamAccess(t *testing.T) {
	e := newEnv(t, -1)
	owner := e.client(e.owner)
	member := e.client(e.member)
	w := must[*tfe.Workspace](t)(owner.Workspaces.Read(ctx(), "my-org", "my-workspace"))
	dev := must[*tfe.Team](t)(owner.Teams.Read(ctx(), developers))
	other := must[*tfe.Team](t)(owner.Teams.Create(ctx(), "my-org", tfe.TeamCreateOptions{Name: tfe.String("other"), Visibility: tfe.String("organization")}))
	mine := must[*tfe.TeamAccess](t)(owner.TeamAccess.Add(ctx(), tfe.TeamAccessAddOptions{Access: tfe.Access(tfe.AccessWrite), Team: dev, Workspace: w}))

	// Write access does not reach team access.
	_, err := member.TeamAccess.List(ctx(), &tfe.TeamAccessListOptions{WorkspaceID: w.ID})
	wantErr(t, err, tfe.ErrResourceNotFound)
	_, err = member.TeamAccess.Update(ctx(), mine.ID, tfe.TeamAccessUpdateOptions{Access: tfe.Access(tfe.AccessAdmin)})
	wantErr(t, err, tfe.ErrResourceNotFound)
	if got := must[*tfe.TeamAccess](t)(owner.TeamAccess.Read(ctx(), mine.ID)); got.Access != tfe.AccessWrite {
		t.Fatalf("a refused update made it %s", got.Access)
	}

	must[*tfe.TeamAccess](t)(owner.TeamAccess.Update(ctx(), mine.ID, tfe.TeamAccessUpdateOptions{Access: tfe.Access(tfe.AccessAdmin)}))
	added := must[*tfe.TeamAccess](t)(member.TeamAccess.Add(ctx(), tfe.TeamAccessAddOptions{Access: tfe.Access(tfe.AccessRead), Team: other, Workspace: w}))
	if l := must[*tfe.TeamAccessList](t)(member.TeamAccess.List(ctx(), &tfe.TeamAccessListOptions{WorkspaceID: w.ID})); len(l.Items) != 2 {
		t.Fatalf("admin lists %d accesses", len(l.Items))
	}
	must[struct{}](t)(struct{}{}, member.TeamAccess.Remove(ctx(), added.ID))
}

func TestPlanAccessQueuesButCannotApply(t *testing.T) {
	e := newEnv(t, -1)
	owner := e.client(e.owner)
	member := e.client(e.member)
	w := must[*tfe.Workspace](t)(owner.Workspaces.Read(ctx(), "my-org", "my-workspace"))
	dev := must[*tfe.Team](t)(owner.Teams.Read(ctx(), developers))
	must[*tfe.TeamAccess](t)(owner.TeamAccess.Add(ctx(), tfe.TeamAccessAddOptions{Access: tfe.Access(tfe.AccessPlan), Team: dev, Workspace: w}))

	r := must[*tfe.Run](t)(member.Runs.Create(ctx(), tfe.RunCreateOptions{Workspace: w}))
	if r.Permissions.CanApply || r.Permissions.CanDiscard || !r.Permissions.CanCancel {
		t.Fatalf("plan-level run permissions = %+v", *r.Permissions)
	}
	if got := must[*tfe.Run](t)(owner.Runs.Read(ctx(), r.ID)); !got.Permissions.CanApply {
		t.Fatalf("the owner's run permissions = %+v", *got.Permissions)
	}
	wantErr(t, member.Runs.ForceCancel(ctx(), r.ID, tfe.RunForceCancelOptions{}), tfe.ErrResourceNotFound)
	must[struct{}](t)(struct{}{}, member.Runs.Cancel(ctx(), r.ID, tfe.RunCancelOptions{}))
	if got := must[*tfe.Run](t)(owner.Runs.Read(ctx(), r.ID)); got.Status != tfe.RunCanceled {
		t.Fatalf("after cancel: %s", got.Status)
	}
}

// TestStatePermissionsFollowTeamAccess checks the state permissions of
// team workspace access: read-outputs reads only outputs, read reads the
// state too, write also uploads (under its own lock); no access sees none.
func TestStatePermissionsFollowTeamAccess(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		grant                  *tfe.TeamAccessAddOptions
		outputs, state, create bool
	}{
		{"no access", nil, false, false, false},
		{"custom read-outputs", &tfe.TeamAccessAddOptions{Access: tfe.Access(tfe.AccessCustom),
			StateVersions: tfe.StateVersionsPermission(tfe.StateVersionsPermissionReadOutputs)}, true, false, false},
		{"plan", &tfe.TeamAccessAddOptions{Access: tfe.Access(tfe.AccessPlan)}, true, true, false},
		{"write", &tfe.TeamAccessAddOptions{Access: tfe.Access(tfe.AccessWrite)}, true, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, -1)
			owner := e.client(e.owner)
			ws := newWorkspace(t, owner, "state-perms")
			must[*tfe.Workspace](t)(owner.Workspaces.Lock(ctx(), ws.ID, tfe.WorkspaceLockOptions{}))
			state := tfstate(1, "lin-p")
			upload := tfe.StateVersionUploadOptions{StateVersionCreateOptions: tfe.StateVersionCreateOptions{
				Lineage: tfe.String("lin-p"), MD5: tfe.String(md5hex(state)), Serial: tfe.Int64(1)}, RawState: state}
			must[*tfe.StateVersion](t)(owner.StateVersions.Upload(ctx(), ws.ID, upload))
			must[*tfe.Workspace](t)(owner.Workspaces.Unlock(ctx(), ws.ID))
			if tc.grant != nil {
				opts := *tc.grant
				opts.Team = must[*tfe.Team](t)(owner.Teams.Read(ctx(), developers))
				opts.Workspace = ws
				must[*tfe.TeamAccess](t)(owner.TeamAccess.Add(ctx(), opts))
			}
			m := e.client(e.member)
			_, err := m.StateVersionOutputs.ReadCurrent(ctx(), ws.ID)
			allowed(t, "read current outputs", tc.outputs, err)
			_, err = m.StateVersions.ReadCurrent(ctx(), ws.ID)
			allowed(t, "read the current state version", tc.state, err)

			next := tfstate(2, "lin-p")
			upload = tfe.StateVersionUploadOptions{StateVersionCreateOptions: tfe.StateVersionCreateOptions{
				Lineage: tfe.String("lin-p"), MD5: tfe.String(md5hex(next)), Serial: tfe.Int64(2)}, RawState: next}
			if tc.create {
				must[*tfe.Workspace](t)(m.Workspaces.Lock(ctx(), ws.ID, tfe.WorkspaceLockOptions{}))
			}
			_, err = m.StateVersions.Upload(ctx(), ws.ID, upload)
			allowed(t, "upload a state version", tc.create, err)
			cur := must[*tfe.StateVersion](t)(owner.StateVersions.ReadCurrent(ctx(), ws.ID))
			if (cur.Serial == 2) != tc.create {
				t.Errorf("current serial %d after the member's upload (allowed: %v)", cur.Serial, tc.create)
			}
		})
	}
}
