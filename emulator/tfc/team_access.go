package tfc

import (
	"fmt"
	"net/http"
	"slices"
)

// TeamWorkspaceAccess is a team's access to one workspace (TFC's
// team-workspaces resource). A team has at most one per workspace.
type TeamWorkspaceAccess struct {
	ID          string
	TeamID      string
	WorkspaceID string
	// Access is read, plan, write, admin or custom; Grant holds the
	// permissions it implies (fixed levels) or sets (custom).
	Access string
	Grant  WorkspaceGrant
	seq    int64
}

func (a *TeamWorkspaceAccess) order() int64 { return a.seq }

// workspaceLevels are the permissions each fixed team-workspaces access
// level implies, as TFC renders them; custom starts from its defaults.
var workspaceLevels = map[string]WorkspaceGrant{
	"read":   readGrant,
	"plan":   {Runs: "plan", Variables: "read", StateVersions: "read", SentinelMocks: "none"},
	"write":  {Runs: "apply", Variables: "write", StateVersions: "write", SentinelMocks: "read", Locking: true},
	"admin":  {Runs: "apply", Variables: "write", StateVersions: "write", SentinelMocks: "read", Locking: true, RunTasks: true, Admin: true},
	"custom": {Runs: "read", Variables: "none", StateVersions: "none", SentinelMocks: "none"},
}

// Allowed values of the permission attributes.
var (
	runsValues          = []string{"read", "plan", "apply"}
	variablesValues     = []string{"none", "read", "write"}
	stateVersionsValues = []string{"none", "read-outputs", "read", "write"}
	sentinelMocksValues = []string{"none", "read"}
)

type teamWorkspaceAttributes struct {
	Access           string `json:"access"`
	Runs             string `json:"runs"`
	Variables        string `json:"variables"`
	StateVersions    string `json:"state-versions"`
	SentinelMocks    string `json:"sentinel-mocks"`
	WorkspaceLocking bool   `json:"workspace-locking"`
	RunTasks         bool   `json:"run-tasks"`
	PolicyOverrides  bool   `json:"policy-overrides"`
}

// teamWorkspaceResource is the one representation of a team-workspaces
// access.
func teamWorkspaceResource(a *TeamWorkspaceAccess) Resource {
	g := a.Grant
	return Resource{
		ID:   a.ID,
		Type: "team-workspaces",
		Attributes: teamWorkspaceAttributes{Access: a.Access, Runs: g.Runs, Variables: g.Variables, StateVersions: g.StateVersions,
			SentinelMocks: g.SentinelMocks, WorkspaceLocking: g.Locking, RunTasks: g.RunTasks, PolicyOverrides: g.PolicyOverrides},
		Relationships: map[string]Relationship{
			"team":      {Data: &Ref{ID: a.TeamID, Type: "teams"}, Links: map[string]string{"related": "/api/v2/teams/" + a.TeamID}},
			"workspace": {Data: &Ref{ID: a.WorkspaceID, Type: "workspaces"}, Links: map[string]string{"related": "/api/v2/workspaces/" + a.WorkspaceID}},
		},
		Links: map[string]string{"self": "/api/v2/team-workspaces/" + a.ID},
	}
}

// teamWorkspaceInput is the attributes a team-workspaces create or update
// may send.
type teamWorkspaceInput struct {
	Access           *string `json:"access"`
	Runs             *string `json:"runs"`
	Variables        *string `json:"variables"`
	StateVersions    *string `json:"state-versions"`
	SentinelMocks    *string `json:"sentinel-mocks"`
	WorkspaceLocking *bool   `json:"workspace-locking"`
	RunTasks         *bool   `json:"run-tasks"`
	PolicyOverrides  *bool   `json:"policy-overrides"`
}

// fields lists the custom permission attributes for validation.
func (in *teamWorkspaceInput) fields() []permField {
	const base = "/data/attributes/"
	return []permField{
		enumField(base+"runs", "Runs", in.Runs, runsValues),
		enumField(base+"variables", "Variables", in.Variables, variablesValues),
		enumField(base+"state-versions", "State versions", in.StateVersions, stateVersionsValues),
		enumField(base+"sentinel-mocks", "Sentinel mocks", in.SentinelMocks, sentinelMocksValues),
		boolField(base+"workspace-locking", "Workspace locking", in.WorkspaceLocking),
		boolField(base+"run-tasks", "Run tasks", in.RunTasks),
		boolField(base+"policy-overrides", "Policy overrides", in.PolicyOverrides),
	}
}

// grant applies the input onto the access a currently has (cur is nil on
// create): a new fixed level replaces every permission; custom starts from
// the current permissions (or custom's defaults) and takes what was sent.
func (in *teamWorkspaceInput) grant(curAccess string, cur WorkspaceGrant) (string, WorkspaceGrant) {
	level := curAccess
	if in.Access != nil {
		level = *in.Access
	}
	if level != "custom" {
		return level, workspaceLevels[level]
	}
	g := cur
	if curAccess == "" {
		g = workspaceLevels["custom"]
	}
	g.Admin = false
	setIf(&g.Runs, in.Runs)
	setIf(&g.Variables, in.Variables)
	setIf(&g.StateVersions, in.StateVersions)
	setIf(&g.SentinelMocks, in.SentinelMocks)
	setIf(&g.Locking, in.WorkspaceLocking)
	setIf(&g.RunTasks, in.RunTasks)
	setIf(&g.PolicyOverrides, in.PolicyOverrides)
	return level, g
}

// permField is one custom permission attribute of a request.
type permField struct {
	pointer, name string
	sent          bool
	value         string
	allowed       []string // nil for booleans
}

func enumField(pointer, name string, v *string, allowed []string) permField {
	f := permField{pointer: pointer, name: name, sent: v != nil, allowed: allowed}
	if v != nil {
		f.value = *v
	}
	return f
}

func boolField(pointer, name string, v *bool) permField {
	return permField{pointer: pointer, name: name, sent: v != nil}
}

// validateAccess checks an access level and its custom permission
// attributes: values must be in their lists, and they may only be set with
// the custom level (TFC's "read-only when access level is ..." error).
// level is the level the access will have; sentLevel whether the request
// named it; create whether it must.
func validateAccess(level string, sentLevel, create bool, levels []string, fields []permField) error {
	var errs Errors
	const pointer = "/data/attributes/access"
	switch {
	case create && (!sentLevel || level == ""):
		errs = append(errs, invalidAttribute(pointer, "Access can't be blank"))
	case sentLevel && !slices.Contains(levels, level):
		errs = append(errs, invalidAttribute(pointer, "Access is not included in the list"))
	}
	levelOK := slices.Contains(levels, level)
	for _, f := range fields {
		if !f.sent {
			continue
		}
		if f.allowed != nil && !slices.Contains(f.allowed, f.value) {
			errs = append(errs, invalidAttribute(f.pointer, f.name+" is not included in the list"))
			continue
		}
		if levelOK && level != "custom" {
			errs = append(errs, invalidAttribute(f.pointer, fmt.Sprintf(
				"%s is read-only when access level is '%s'; use the 'custom' access level to set this attribute.", f.name, level)))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	errs.sortByPointer()
	return errs
}

var workspaceAccessLevels = []string{"read", "plan", "write", "admin", "custom"}

// teamWorkspaceFor finds a team-workspaces access whose workspace the
// caller may manage team access on; anything else is a 404.
func (st *State) teamWorkspaceFor(p principal, id string) (*TeamWorkspaceAccess, error) {
	a, ok := st.TeamWorkspaces[id]
	if !ok {
		return nil, errNotFound
	}
	w := st.Workspaces[a.WorkspaceID]
	if w == nil || !st.workspacePermissions(p, w).canManageTeamAccess {
		return nil, errNotFound
	}
	return a, nil
}

// requiredFilter reads a list filter TFC requires; without it the list is
// a 400 naming the parameter.
func requiredFilter(c *call, name string) (string, error) {
	v := c.r.URL.Query().Get(name)
	if v == "" {
		e := badRequest(name + " is required")
		e.Source = &Source{Parameter: name}
		return "", e
	}
	return v, nil
}

// listTeamWorkspaces is GET /team-workspaces?filter[workspace][id]=.
func (s *Service) listTeamWorkspaces(c *call) (int, any, error) {
	wsID, err := requiredFilter(c, "filter[workspace][id]")
	if err != nil {
		return 0, nil, err
	}
	teamID := c.r.URL.Query().Get("filter[team][id]")
	return s.view(http.StatusOK, func(st *State) (any, error) {
		w, ok := st.Workspaces[wsID]
		if !ok || !st.workspacePermissions(c.p, w).canManageTeamAccess {
			return nil, errNotFound
		}
		var all []Resource
		for _, a := range sortedBySeq(st.TeamWorkspaces, func(a *TeamWorkspaceAccess) bool {
			return a.WorkspaceID == w.ID && (teamID == "" || a.TeamID == teamID)
		}) {
			all = append(all, teamWorkspaceResource(a))
		}
		return paginate(c.r, all)
	})
}

// accessTeam resolves the team relationship of a team access create: it
// must exist and be seen by the caller (else 404), and belong to org.
func (st *State) accessTeam(p principal, res *requestResource, org, what string) (*Team, error) {
	teamID, err := res.requiredRelationshipID("team", "Team")
	if err != nil {
		return nil, err
	}
	t, ok := st.Teams[teamID]
	if !ok || !st.memberOf(p, t.Org) {
		return nil, errNotFound
	}
	if t.Org != org {
		return nil, invalidAttribute("/data/relationships/team/data/id", "Team must belong to the same organization as the "+what)
	}
	return t, nil
}

// createTeamWorkspace is POST /team-workspaces.
func (s *Service) createTeamWorkspace(c *call) (int, any, error) {
	var in teamWorkspaceInput
	res, err := decodeResource(c.r, "team-workspaces", &in)
	if err != nil {
		return 0, nil, err
	}
	level := ""
	if in.Access != nil {
		level = *in.Access
	}
	if err := validateAccess(level, in.Access != nil, true, workspaceAccessLevels, in.fields()); err != nil {
		return 0, nil, err
	}
	wsID, err := res.requiredRelationshipID("workspace", "Workspace")
	if err != nil {
		return 0, nil, err
	}
	return s.update(http.StatusCreated, func(st *State) (any, error) {
		w, ok := st.Workspaces[wsID]
		if !ok || !st.workspacePermissions(c.p, w).canManageTeamAccess {
			return nil, errNotFound
		}
		t, err := st.accessTeam(c.p, res, w.Org, "workspace")
		if err != nil {
			return nil, err
		}
		if anyOf(st.TeamWorkspaces, func(a *TeamWorkspaceAccess) bool { return a.TeamID == t.ID && a.WorkspaceID == w.ID }) {
			return nil, invalidAttribute("/data/relationships/team", "Team has already been taken")
		}
		a := &TeamWorkspaceAccess{ID: newID("tws"), TeamID: t.ID, WorkspaceID: w.ID, seq: st.next()}
		a.Access, a.Grant = in.grant("", WorkspaceGrant{})
		st.TeamWorkspaces[a.ID] = a
		st.touch("TeamWorkspaces", a.ID)
		return Document{Data: teamWorkspaceResource(a)}, nil
	})
}

func (s *Service) readTeamWorkspace(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		a, err := st.teamWorkspaceFor(c.p, c.path("id"))
		if err != nil {
			return nil, err
		}
		return Document{Data: teamWorkspaceResource(a)}, nil
	})
}

// updateTeamWorkspace is PATCH /team-workspaces/:id. An unknown access is a
// 404 before its body is judged.
func (s *Service) updateTeamWorkspace(c *call) (int, any, error) {
	var in teamWorkspaceInput
	if _, err := decodeResource(c.r, "team-workspaces", &in); err != nil {
		return 0, nil, err
	}
	return s.update(http.StatusOK, func(st *State) (any, error) {
		a, err := st.teamWorkspaceFor(c.p, c.path("id"))
		if err != nil {
			return nil, err
		}
		level := a.Access
		if in.Access != nil {
			level = *in.Access
		}
		if err := validateAccess(level, in.Access != nil, false, workspaceAccessLevels, in.fields()); err != nil {
			return nil, err
		}
		a.Access, a.Grant = in.grant(a.Access, a.Grant)
		st.touch("TeamWorkspaces", a.ID)
		return Document{Data: teamWorkspaceResource(a)}, nil
	})
}

func (s *Service) deleteTeamWorkspace(c *call) (int, any, error) {
	return s.update(http.StatusNoContent, func(st *State) (any, error) {
		a, err := st.teamWorkspaceFor(c.p, c.path("id"))
		if err != nil {
			return nil, err
		}
		delete(st.TeamWorkspaces, a.ID)
		st.touch("TeamWorkspaces", a.ID)
		return nil, nil
	})
}

// checkTeamAccessReferences refuses team accesses whose team, workspace or
// project is missing or in another organization, or that repeat a
// team's access to the same workspace or project.
func (st *State) checkTeamAccessReferences() error {
	seen := map[[2]string]bool{}
	for _, a := range st.TeamWorkspaces {
		t, w := st.Teams[a.TeamID], st.Workspaces[a.WorkspaceID]
		if t == nil || w == nil || t.Org != w.Org || !slices.Contains(workspaceAccessLevels, a.Access) || seen[[2]string{a.TeamID, a.WorkspaceID}] {
			return fmt.Errorf("team workspace access %s: unknown team or workspace, another organization's, a repeat, or a bad level", a.ID)
		}
		seen[[2]string{a.TeamID, a.WorkspaceID}] = true
	}
	for _, a := range st.TeamProjects {
		t, p := st.Teams[a.TeamID], st.Projects[a.ProjectID]
		if t == nil || p == nil || t.Org != p.Org || !slices.Contains(projectAccessLevels, a.Access) || seen[[2]string{a.TeamID, a.ProjectID}] {
			return fmt.Errorf("team project access %s: unknown team or project, another organization's, a repeat, or a bad level", a.ID)
		}
		seen[[2]string{a.TeamID, a.ProjectID}] = true
	}
	return nil
}
