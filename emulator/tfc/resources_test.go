package tfc_test

import (
	"reflect"
	"strings"
	"testing"

	tfe "github.com/hashicorp/go-tfe"
)

func TestOrganizationLifecycle(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	org := must[*tfe.Organization](t)(c.Organizations.Create(ctx(), tfe.OrganizationCreateOptions{Name: tfe.String("acme"), Email: tfe.String("ops@acme.test")}))
	if org.Name != "acme" || !strings.HasPrefix(org.ExternalID, "org-") || org.DefaultExecutionMode != "remote" ||
		org.Permissions == nil || !org.Permissions.CanDestroy || org.DefaultProject == nil {
		t.Fatalf("created = %+v", org)
	}
	read := must[*tfe.Organization](t)(c.Organizations.Read(ctx(), "acme"))
	if !reflect.DeepEqual(org, read) {
		t.Fatalf("read differs from create:\n%+v\n%+v", read, org)
	}
	withProject := must[*tfe.Organization](t)(c.Organizations.ReadWithOptions(ctx(), "acme", tfe.OrganizationReadOptions{Include: []tfe.OrganizationIncludeOpt{tfe.OrganizationDefaultProject}}))
	if withProject.DefaultProject.Name != "Default Project" {
		t.Fatalf("included default project = %+v", withProject.DefaultProject)
	}
	teams := must[*tfe.TeamList](t)(c.Teams.List(ctx(), "acme", nil))
	if teams.TotalCount != 1 || teams.Items[0].Name != "owners" {
		t.Fatalf("a new organization's teams = %+v", teams.Items)
	}
	list := must[*tfe.OrganizationList](t)(c.Organizations.List(ctx(), &tfe.OrganizationListOptions{Query: "acme"}))
	if len(list.Items) != 1 || !reflect.DeepEqual(list.Items[0], org) {
		t.Fatalf("list = %+v", list.Items)
	}
	_, err := c.Organizations.Create(ctx(), tfe.OrganizationCreateOptions{Name: tfe.String("ACME"), Email: tfe.String("x@y.z")})
	wantErrText(t, err, "invalid attribute\n\nName has already been taken")

	upd := must[*tfe.Organization](t)(c.Organizations.Update(ctx(), "acme", tfe.OrganizationUpdateOptions{Name: tfe.String("acme-2"), Email: tfe.String("new@acme.test")}))
	if upd.Name != "acme-2" || upd.Email != "new@acme.test" {
		t.Fatalf("updated = %+v", upd)
	}
	_, err = c.Organizations.Read(ctx(), "acme")
	wantErr(t, err, tfe.ErrResourceNotFound)
	must[*tfe.Project](t)(c.Projects.Read(ctx(), upd.DefaultProject.ID))

	// A member of my-org sees neither acme-2 nor may change my-org.
	m := e.client(e.member)
	_, err = m.Organizations.Read(ctx(), "acme-2")
	wantErr(t, err, tfe.ErrResourceNotFound)
	must[*tfe.Organization](t)(m.Organizations.Read(ctx(), "my-org"))
	_, err = m.Organizations.Update(ctx(), "my-org", tfe.OrganizationUpdateOptions{Email: tfe.String("evil@x.y")})
	wantErr(t, err, tfe.ErrResourceNotFound)

	if err := c.Organizations.Delete(ctx(), "acme-2"); err != nil {
		t.Fatal(err)
	}
	_, err = c.Projects.Read(ctx(), upd.DefaultProject.ID)
	wantErr(t, err, tfe.ErrResourceNotFound)
	wantErr(t, c.Organizations.Delete(ctx(), "acme-2"), tfe.ErrResourceNotFound)
}

func TestTeamsAndOrganizationAccess(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	team := must[*tfe.Team](t)(c.Teams.Create(ctx(), "my-org", tfe.TeamCreateOptions{Name: tfe.String("platform"),
		OrganizationAccess: &tfe.OrganizationAccessOptions{ManageWorkspaces: tfe.Bool(true)}}))
	if team.Visibility != "secret" || !team.OrganizationAccess.ManageWorkspaces || team.OrganizationAccess.ManageProjects {
		t.Fatalf("team = %+v %+v", team, team.OrganizationAccess)
	}
	if got := must[*tfe.Team](t)(c.Teams.Read(ctx(), team.ID)); !reflect.DeepEqual(got, team) {
		t.Fatalf("read %+v differs from create %+v", got, team)
	}
	// A team token holds its team's organization access.
	tok := must[*tfe.TeamToken](t)(c.TeamTokens.Create(ctx(), team.ID))
	tc := e.client(tok.Token)
	must[*tfe.Workspace](t)(tc.Workspaces.Create(ctx(), "my-org", tfe.WorkspaceCreateOptions{Name: tfe.String("by-team")}))
	_, err := tc.Projects.Create(ctx(), "my-org", tfe.ProjectCreateOptions{Name: "Nope"})
	wantErr(t, err, tfe.ErrResourceNotFound)

	if _, err := c.Teams.Update(ctx(), team.ID, tfe.TeamUpdateOptions{OrganizationAccess: &tfe.OrganizationAccessOptions{ManageProjects: tfe.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	must[*tfe.Project](t)(tc.Projects.Create(ctx(), "my-org", tfe.ProjectCreateOptions{Name: "Now allowed"}))
	if err := c.Teams.Delete(ctx(), team.ID); err != nil {
		t.Fatal(err)
	}
	_, err = tc.Users.ReadCurrent(ctx())
	wantErr(t, err, tfe.ErrUnauthorized)
}

func TestProjectsAndWorkspaces(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	prj := must[*tfe.Project](t)(c.Projects.Create(ctx(), "my-org", tfe.ProjectCreateOptions{Name: "Networking"}))
	_, err := c.Projects.Create(ctx(), "my-org", tfe.ProjectCreateOptions{Name: "x/y"})
	wantErrText(t, err, "invalid attribute\n\nName may only contain")

	ws := must[*tfe.Workspace](t)(c.Workspaces.Create(ctx(), "my-org", tfe.WorkspaceCreateOptions{Name: tfe.String("vpc-prod"), Project: prj}))
	if ws.Organization == nil || ws.Organization.Name != "my-org" || ws.Project.ID != prj.ID || ws.ExecutionMode != "remote" ||
		ws.Links["self"] != "/api/v2/organizations/my-org/workspaces/vpc-prod" || ws.Permissions == nil || !ws.Permissions.CanDestroy {
		t.Fatalf("workspace = %+v", ws)
	}
	byName := must[*tfe.Workspace](t)(c.Workspaces.Read(ctx(), "my-org", "vpc-prod"))
	byID := must[*tfe.Workspace](t)(c.Workspaces.ReadByID(ctx(), ws.ID))
	if !reflect.DeepEqual(byName, ws) || !reflect.DeepEqual(byID, ws) {
		t.Fatalf("read differs from create:\n%+v\n%+v\n%+v", ws, byName, byID)
	}
	_, err = c.Workspaces.Create(ctx(), "my-org", tfe.WorkspaceCreateOptions{Name: tfe.String("vpc-prod")})
	wantErrText(t, err, "Name has already been taken")
	upd := must[*tfe.Workspace](t)(c.Workspaces.UpdateByID(ctx(), ws.ID, tfe.WorkspaceUpdateOptions{AutoApply: tfe.Bool(true), Name: tfe.String("vpc-production")}))
	if !upd.AutoApply || upd.Name != "vpc-production" {
		t.Fatalf("updated = %+v", upd)
	}
	list := must[*tfe.WorkspaceList](t)(c.Workspaces.List(ctx(), "my-org", &tfe.WorkspaceListOptions{ProjectID: prj.ID}))
	if len(list.Items) != 1 || list.Items[0].ID != ws.ID {
		t.Fatalf("filtered list = %+v", list.Items)
	}
	// A project with workspaces cannot be deleted; an empty one can.
	wantErrText(t, c.Projects.Delete(ctx(), prj.ID), "Project must be empty")
	if err := c.Workspaces.Delete(ctx(), "my-org", "vpc-production"); err != nil {
		t.Fatal(err)
	}
	_, err = c.Workspaces.ReadByID(ctx(), ws.ID)
	wantErr(t, err, tfe.ErrResourceNotFound)
	if err := c.Projects.Delete(ctx(), prj.ID); err != nil {
		t.Fatal(err)
	}
	// The member reads workspaces only through a team with access.
	_, err = e.client(e.member).Workspaces.Read(ctx(), "my-org", "my-workspace")
	wantErr(t, err, tfe.ErrResourceNotFound)
}

func TestVariablesHideSensitiveValues(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	wsID := "ws-mbsd5E3Ktt5Rg2Xm"
	v := must[*tfe.Variable](t)(c.Variables.Create(ctx(), wsID, tfe.VariableCreateOptions{Key: tfe.String("region"), Value: tfe.String("eu-west-1"),
		Category: tfe.Category(tfe.CategoryTerraform)}))
	if v.Value != "eu-west-1" || v.Workspace == nil || v.Workspace.ID != wsID || v.VersionID == "" {
		t.Fatalf("variable = %+v", v)
	}
	secret := must[*tfe.Variable](t)(c.Variables.Create(ctx(), wsID, tfe.VariableCreateOptions{Key: tfe.String("AWS_SECRET_ACCESS_KEY"), Value: tfe.String("hunter2"),
		Category: tfe.Category(tfe.CategoryEnv), Sensitive: tfe.Bool(true)}))
	if secret.Value != "" || !secret.Sensitive {
		t.Fatalf("sensitive value echoed: %+v", secret)
	}
	upd := must[*tfe.Variable](t)(c.Variables.Update(ctx(), wsID, v.ID, tfe.VariableUpdateOptions{Value: tfe.String("us-east-1")}))
	if upd.VersionID == v.VersionID || upd.Value != "us-east-1" {
		t.Fatalf("update kept version-id %q or lost the value: %+v", v.VersionID, upd)
	}
	_, err := c.Variables.Update(ctx(), wsID, secret.ID, tfe.VariableUpdateOptions{Sensitive: tfe.Bool(false)})
	wantErrText(t, err, "cannot be made non-sensitive")
	_, err = c.Variables.Create(ctx(), wsID, tfe.VariableCreateOptions{Key: tfe.String("region"), Value: tfe.String("x"), Category: tfe.Category(tfe.CategoryTerraform)})
	wantErrText(t, err, "Key has already been taken")
	_, err = c.Variables.Create(ctx(), wsID, tfe.VariableCreateOptions{Key: tfe.String("long"), Category: tfe.Category(tfe.CategoryTerraform), Description: tfe.String(strings.Repeat("d", 513))})
	wantErrText(t, err, "Description is too long")
	list := must[*tfe.VariableList](t)(c.Variables.List(ctx(), wsID, nil))
	if len(list.Items) != 2 {
		t.Fatalf("list has %d variables", len(list.Items))
	}
	if err := c.Variables.Delete(ctx(), wsID, v.ID); err != nil {
		t.Fatal(err)
	}
	_, err = c.Variables.Read(ctx(), wsID, v.ID)
	wantErr(t, err, tfe.ErrResourceNotFound)
}

func TestVariableSetPrecedence(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	wsID := "ws-mbsd5E3Ktt5Rg2Xm"
	mkSet := func(name string, global, priority bool, key, value string) *tfe.VariableSet {
		vs := must[*tfe.VariableSet](t)(c.VariableSets.Create(ctx(), "my-org", &tfe.VariableSetCreateOptions{Name: tfe.String(name), Global: tfe.Bool(global), Priority: tfe.Bool(priority)}))
		must[*tfe.VariableSetVariable](t)(c.VariableSetVariables.Create(ctx(), vs.ID, &tfe.VariableSetVariableCreateOptions{Key: tfe.String(key), Value: tfe.String(value), Category: tfe.Category(tfe.CategoryEnv)}))
		return vs
	}
	effective := func() map[string]string {
		out := map[string]string{}
		for _, v := range must[*tfe.VariableList](t)(c.Variables.ListAll(ctx(), wsID, nil)).Items {
			out[v.Key] = v.Value
		}
		return out
	}
	mkSet("global-defaults", true, false, "TFC_WORKLOAD_IDENTITY_AUDIENCE", "from-global")
	if got := effective()["TFC_WORKLOAD_IDENTITY_AUDIENCE"]; got != "from-global" {
		t.Fatalf("global set: %q", got)
	}
	b := mkSet("b-set", false, false, "TFC_WORKLOAD_IDENTITY_AUDIENCE", "from-b")
	a := mkSet("a-set", false, false, "TFC_WORKLOAD_IDENTITY_AUDIENCE", "from-a")
	for _, vs := range []*tfe.VariableSet{b, a} {
		if err := c.VariableSets.ApplyToWorkspaces(ctx(), vs.ID, &tfe.VariableSetApplyToWorkspacesOptions{Workspaces: []*tfe.Workspace{{ID: wsID}}}); err != nil {
			t.Fatal(err)
		}
	}
	if got := effective()["TFC_WORKLOAD_IDENTITY_AUDIENCE"]; got != "from-a" {
		t.Fatalf("two workspace sets: %q, want the lexically first set's value", got)
	}
	must[*tfe.Variable](t)(c.Variables.Create(ctx(), wsID, tfe.VariableCreateOptions{Key: tfe.String("TFC_WORKLOAD_IDENTITY_AUDIENCE"), Value: tfe.String("from-workspace"), Category: tfe.Category(tfe.CategoryEnv)}))
	if got := effective()["TFC_WORKLOAD_IDENTITY_AUDIENCE"]; got != "from-workspace" {
		t.Fatalf("workspace variable: %q", got)
	}
	mkSet("z-priority", true, true, "TFC_WORKLOAD_IDENTITY_AUDIENCE", "from-priority")
	if got := effective()["TFC_WORKLOAD_IDENTITY_AUDIENCE"]; got != "from-priority" {
		t.Fatalf("priority set: %q", got)
	}
	sets := must[*tfe.VariableSetList](t)(c.VariableSets.ListForWorkspace(ctx(), wsID, nil))
	if len(sets.Items) != 4 {
		t.Fatalf("sets reaching the workspace = %d, want 4", len(sets.Items))
	}
	if err := c.VariableSets.RemoveFromWorkspaces(ctx(), a.ID, &tfe.VariableSetRemoveFromWorkspacesOptions{Workspaces: []*tfe.Workspace{{ID: wsID}}}); err != nil {
		t.Fatal(err)
	}
	read := must[*tfe.VariableSet](t)(c.VariableSets.Read(ctx(), a.ID, &tfe.VariableSetReadOptions{Include: &[]tfe.VariableSetIncludeOpt{tfe.VariableSetWorkspaces}}))
	if len(read.Workspaces) != 0 {
		t.Fatalf("set still applied to %d workspaces", len(read.Workspaces))
	}
	if err := c.VariableSets.Delete(ctx(), b.ID); err != nil {
		t.Fatal(err)
	}
}

// TestGoTFESuiteFindings pins what go-tfe's own integration tests showed
// the emulator lacked: workspace attributes round-trip, tags, version
// validation, team names with spaces, UUID variable keys, and organizations
// that turn user tokens off.
func TestGoTFESuiteFindings(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	ws := must[*tfe.Workspace](t)(c.Workspaces.Create(ctx(), "my-org", tfe.WorkspaceCreateOptions{
		Name: tfe.String("full"), AutoApplyRunTrigger: tfe.Bool(true), SourceName: tfe.String("my-app"),
		SourceURL: tfe.String("http://example.com"), TriggerPatterns: []string{"/module-1/**/*"},
		Tags: []*tfe.Tag{{Name: "prod"}, {Name: "network"}},
	}))
	if !ws.AutoApplyRunTrigger || ws.SourceName != "my-app" || ws.SourceURL != "http://example.com" ||
		!reflect.DeepEqual(ws.TriggerPatterns, []string{"/module-1/**/*"}) || !reflect.DeepEqual(ws.TagNames, []string{"prod", "network"}) {
		t.Fatalf("workspace = %+v", ws)
	}
	upd := must[*tfe.Workspace](t)(c.Workspaces.UpdateByID(ctx(), ws.ID, tfe.WorkspaceUpdateOptions{Operations: tfe.Bool(false), TriggerPrefixes: []string{"/modules"}}))
	if upd.Operations || !reflect.DeepEqual(upd.TriggerPrefixes, []string{"/modules"}) || len(upd.TriggerPatterns) != 0 {
		t.Fatalf("updated = %+v", upd)
	}
	_, err := c.Workspaces.UpdateByID(ctx(), ws.ID, tfe.WorkspaceUpdateOptions{TerraformVersion: tfe.String("nonexisting")})
	wantErrText(t, err, "Terraform version")

	team := must[*tfe.Team](t)(c.Teams.Create(ctx(), "my-org", tfe.TeamCreateOptions{Name: tfe.String("foo")}))
	must[*tfe.Team](t)(c.Teams.Update(ctx(), team.ID, tfe.TeamUpdateOptions{Name: tfe.String("foo bar")}))
	_, err = c.Teams.Update(ctx(), "team-nonexisting000", tfe.TeamUpdateOptions{Name: tfe.String("foo bar")})
	wantErr(t, err, tfe.ErrResourceNotFound)

	v := must[*tfe.Variable](t)(c.Variables.Create(ctx(), ws.ID, tfe.VariableCreateOptions{Key: tfe.String("0f1e2d3c-uuid-key"), Value: tfe.String("v"), Category: tfe.Category(tfe.CategoryTerraform)}))
	read := must[*tfe.Workspace](t)(c.Workspaces.ReadByID(ctx(), ws.ID))
	if len(read.Variables) != 1 || read.Variables[0].ID != v.ID {
		t.Fatalf("workspace vars relationship = %+v", read.Variables)
	}

	must[*tfe.Organization](t)(c.Organizations.Update(ctx(), "my-org", tfe.OrganizationUpdateOptions{UserTokensEnabled: tfe.Bool(false)}))
	_, err = c.Organizations.Read(ctx(), "my-org")
	wantErr(t, err, tfe.ErrUnauthorized)
}

func TestRegistryModulesThroughGoTFE(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	m := must[*tfe.RegistryModule](t)(c.RegistryModules.Create(ctx(), "my-org", tfe.RegistryModuleCreateOptions{Name: tfe.String("subnets"), Provider: tfe.String("aws")}))
	if m.Namespace != "my-org" || m.RegistryName != tfe.PrivateRegistry || m.Status != tfe.RegistryModuleStatusPending || m.Organization.Name != "my-org" ||
		!m.Permissions.CanDelete || !strings.HasPrefix(m.ID, "mod-") {
		t.Fatalf("module = %+v", m)
	}
	read := must[*tfe.RegistryModule](t)(c.RegistryModules.Read(ctx(), tfe.RegistryModuleID{Organization: "my-org", Name: "subnets", Provider: "aws", Namespace: "my-org", RegistryName: tfe.PrivateRegistry}))
	if !reflect.DeepEqual(read, m) {
		t.Fatalf("read %+v differs from create %+v", read, m)
	}
	list := must[*tfe.RegistryModuleList](t)(c.RegistryModules.List(ctx(), "my-org", nil))
	if len(list.Items) != 2 {
		t.Fatalf("modules = %d, want the seed's vpc and subnets", len(list.Items))
	}
	_, err := c.RegistryModules.Create(ctx(), "my-org", tfe.RegistryModuleCreateOptions{Name: tfe.String("subnets"), Provider: tfe.String("aws")})
	wantErrText(t, err, "Name has already been taken")
	if err := c.RegistryModules.Delete(ctx(), "my-org", "subnets"); err != nil {
		t.Fatal(err)
	}
	_, err = c.RegistryModules.Read(ctx(), tfe.RegistryModuleID{Organization: "my-org", Name: "subnets", Provider: "aws", Namespace: "my-org", RegistryName: tfe.PrivateRegistry})
	wantErr(t, err, tfe.ErrResourceNotFound)
	_, err = e.client(e.member).RegistryModules.Create(ctx(), "my-org", tfe.RegistryModuleCreateOptions{Name: tfe.String("x"), Provider: tfe.String("aws")})
	wantErr(t, err, tfe.ErrResourceNotFound)
}

// TestExecutionModesAndAgentPools pins the second go-tfe suite run's
// findings: default agent pools on organizations and projects, inheritance
// into workspaces, and pool scoping.
func TestExecutionModesAndAgentPools(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	pool := must[*tfe.AgentPool](t)(c.AgentPools.Create(ctx(), "my-org", tfe.AgentPoolCreateOptions{Name: tfe.String("pool-a"),
		AllowedWorkspaces: []*tfe.Workspace{{ID: "ws-mbsd5E3Ktt5Rg2Xm"}}}))
	if len(pool.AllowedWorkspaces) != 1 {
		t.Fatalf("allowed workspaces = %v", pool.AllowedWorkspaces)
	}
	upd := must[*tfe.AgentPool](t)(c.AgentPools.Update(ctx(), pool.ID, tfe.AgentPoolUpdateOptions{Name: tfe.String("pool-b")}))
	if upd.Name != "pool-b" || len(upd.AllowedWorkspaces) != 1 {
		t.Fatalf("update lost the scope: %+v", upd)
	}
	_, err := c.Organizations.Update(ctx(), "my-org", tfe.OrganizationUpdateOptions{DefaultExecutionMode: tfe.String("remote"), DefaultAgentPool: pool})
	wantErrText(t, err, "must not be specified unless using 'agent' execution mode")
	org := must[*tfe.Organization](t)(c.Organizations.Update(ctx(), "my-org", tfe.OrganizationUpdateOptions{DefaultExecutionMode: tfe.String("agent"), DefaultAgentPool: pool}))
	if org.DefaultExecutionMode != "agent" || org.DefaultAgentPool == nil || org.DefaultAgentPool.ID != pool.ID {
		t.Fatalf("org = %+v", org)
	}
	ws := must[*tfe.Workspace](t)(c.Workspaces.ReadByID(ctx(), "ws-mbsd5E3Ktt5Rg2Xm"))
	if ws.ExecutionMode != "agent" || ws.AgentPool == nil || ws.AgentPool.ID != pool.ID || ws.SettingOverwrites.ExecutionMode == nil || *ws.SettingOverwrites.ExecutionMode {
		t.Fatalf("workspace does not inherit the organization's agent pool: %+v %+v", ws, ws.SettingOverwrites)
	}
	prj := must[*tfe.Project](t)(c.Projects.Create(ctx(), "my-org", tfe.ProjectCreateOptions{Name: "Local", DefaultExecutionMode: tfe.String("local")}))
	if prj.DefaultExecutionMode != "local" || prj.DefaultAgentPool != nil || !*prj.SettingOverwrites.ExecutionMode {
		t.Fatalf("project = %+v", prj)
	}
	_, err = c.Projects.Update(ctx(), prj.ID, tfe.ProjectUpdateOptions{DefaultExecutionMode: tfe.String("local"), DefaultAgentPoolID: tfe.String(pool.ID)})
	wantErrText(t, err, "must not be specified unless using 'agent' execution mode")
	inherit := must[*tfe.Project](t)(c.Projects.Create(ctx(), "my-org", tfe.ProjectCreateOptions{Name: "Inherits"}))
	if inherit.DefaultExecutionMode != "agent" || inherit.DefaultAgentPool.ID != pool.ID || *inherit.SettingOverwrites.ExecutionMode {
		t.Fatalf("project does not inherit the organization's defaults: %+v", inherit)
	}
	// Leaving agent mode drops the pool.
	org = must[*tfe.Organization](t)(c.Organizations.Update(ctx(), "my-org", tfe.OrganizationUpdateOptions{DefaultExecutionMode: tfe.String("remote")}))
	if org.DefaultAgentPool != nil {
		t.Fatalf("remote org keeps pool %v", org.DefaultAgentPool)
	}
	// The deprecated delete removes a public module of that name too.
	must[*tfe.RegistryModule](t)(c.RegistryModules.Create(ctx(), "my-org", tfe.RegistryModuleCreateOptions{Name: tfe.String("net"), Provider: tfe.String("aws"),
		RegistryName: tfe.PublicRegistry, Namespace: "hashicorp"}))
	if err := c.RegistryModules.Delete(ctx(), "my-org", "net"); err != nil {
		t.Fatalf("deprecated delete of a public module: %v", err)
	}
}

func TestAgentPoolListFilters(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	scoped := false
	mine := must[*tfe.AgentPool](t)(c.AgentPools.Create(ctx(), "my-org", tfe.AgentPoolCreateOptions{Name: tfe.String("mine"), OrganizationScoped: &scoped,
		AllowedWorkspaces: []*tfe.Workspace{{ID: "ws-mbsd5E3Ktt5Rg2Xm"}}}))
	must[*tfe.AgentPool](t)(c.AgentPools.Create(ctx(), "my-org", tfe.AgentPoolCreateOptions{Name: tfe.String("nobodys"), OrganizationScoped: &scoped}))
	shared := must[*tfe.AgentPool](t)(c.AgentPools.Create(ctx(), "my-org", tfe.AgentPoolCreateOptions{Name: tfe.String("shared")}))
	list := must[*tfe.AgentPoolList](t)(c.AgentPools.List(ctx(), "my-org", &tfe.AgentPoolListOptions{AllowedWorkspacesName: "my-workspace"}))
	if list.TotalCount != 2 || list.Items[0].ID != mine.ID || list.Items[1].ID != shared.ID {
		t.Fatalf("pools for my-workspace = %d %+v", list.TotalCount, list.Items)
	}
	sorted := must[*tfe.AgentPoolList](t)(c.AgentPools.List(ctx(), "my-org", &tfe.AgentPoolListOptions{Sort: "-created-at"}))
	if sorted.Items[0].ID != shared.ID {
		t.Fatalf("-created-at puts %s first", sorted.Items[0].Name)
	}
}

func TestNoCodeModulesAreIncluded(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	m := must[*tfe.RegistryModule](t)(c.RegistryModules.Create(ctx(), "my-org", tfe.RegistryModuleCreateOptions{Name: tfe.String("iam"), Provider: tfe.String("aws"), NoCode: tfe.Bool(true)}))
	list := must[*tfe.RegistryModuleList](t)(c.RegistryModules.List(ctx(), "my-org", &tfe.RegistryModuleListOptions{Include: []tfe.RegistryModuleListIncludeOpt{tfe.IncludeNoCodeModules}}))
	for _, item := range list.Items {
		if item.ID == m.ID && (len(item.RegistryNoCodeModule) != 1 || !item.RegistryNoCodeModule[0].Enabled) {
			t.Fatalf("no-code module = %+v", item.RegistryNoCodeModule)
		}
	}
}

func TestProjectTagBindings(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	p := must[*tfe.Project](t)(c.Projects.Create(ctx(), "my-org", tfe.ProjectCreateOptions{Name: "Tagged", TagBindings: []*tfe.TagBinding{{Key: "env", Value: "prod"}}}))
	read := must[*tfe.Project](t)(c.Projects.ReadWithOptions(ctx(), p.ID, tfe.ProjectReadOptions{Include: []tfe.ProjectIncludeOpt{tfe.ProjectEffectiveTagBindings}}))
	if len(read.EffectiveTagBindings) != 1 || read.EffectiveTagBindings[0].Key != "env" || read.EffectiveTagBindings[0].Value != "prod" {
		t.Fatalf("effective tag bindings = %+v", read.EffectiveTagBindings)
	}
	added := must[[]*tfe.TagBinding](t)(c.Projects.AddTagBindings(ctx(), p.ID, tfe.ProjectAddTagBindingsOptions{TagBindings: []*tfe.TagBinding{{Key: "env", Value: "dev"}, {Key: "team", Value: "net"}}}))
	if len(added) != 2 || added[0].Value != "dev" {
		t.Fatalf("after adding = %+v", added)
	}
	if err := c.Projects.DeleteAllTagBindings(ctx(), p.ID); err != nil {
		t.Fatal(err)
	}
	if list := must[[]*tfe.TagBinding](t)(c.Projects.ListTagBindings(ctx(), p.ID)); len(list) != 0 {
		t.Fatalf("after deleting all = %+v", list)
	}
}

func TestWorkspaceLocking(t *testing.T) {
	e := newEnv(t, -1)
	c := e.client(e.owner)
	id := "ws-mbsd5E3Ktt5Rg2Xm"
	ws := must[*tfe.Workspace](t)(c.Workspaces.Lock(ctx(), id, tfe.WorkspaceLockOptions{Reason: tfe.String("maintenance")}))
	if !ws.Locked || ws.LockedBy == nil || ws.LockedBy.User == nil || ws.LockedBy.User.ID != "user-12345abcde" {
		t.Fatalf("locked = %v by %+v", ws.Locked, ws.LockedBy)
	}
	_, err := c.Workspaces.Lock(ctx(), id, tfe.WorkspaceLockOptions{})
	wantErr(t, err, tfe.ErrWorkspaceLocked)
	// Another principal (the organization token) cannot unlock it, only force-unlock.
	orgTok := must[*tfe.OrganizationToken](t)(c.OrganizationTokens.Create(ctx(), "my-org"))
	other := e.client(orgTok.Token)
	_, err = other.Workspaces.Unlock(ctx(), id)
	wantErr(t, err, tfe.ErrWorkspaceLockedByUser)
	must[*tfe.Workspace](t)(other.Workspaces.ForceUnlock(ctx(), id))
	_, err = c.Workspaces.Unlock(ctx(), id)
	wantErr(t, err, tfe.ErrWorkspaceNotLocked)
}
