package tfc

import (
	"net/http"
)

// TeamProjectAccess is a team's access to one project (TFC's team-projects
// resource): to the project itself and to every workspace in it. A team
// has at most one per project.
type TeamProjectAccess struct {
	ID        string
	TeamID    string
	ProjectID string
	// Access is read, write, maintain, admin or custom.
	Access       string
	Settings     string // read, update, delete
	Teams        string // none, read, manage
	VariableSets string // none, read, write
	Workspaces   WorkspaceGrant
	seq          int64
}

func (a *TeamProjectAccess) order() int64 { return a.seq }

// projectLevel is what a team-projects access level implies.
type projectLevel struct {
	settings, teams, variableSets string
	workspaces                    WorkspaceGrant
}

// projectLevels are the permissions each fixed team-projects level implies;
// custom starts from its defaults.
var projectLevels = map[string]projectLevel{
	"read":  {"read", "none", "none", readGrant},
	"write": {"read", "none", "none", workspaceLevels["write"]},
	"maintain": {"read", "none", "write", WorkspaceGrant{Runs: "apply", Variables: "write", StateVersions: "write", SentinelMocks: "read",
		Locking: true, RunTasks: true, Create: true, Delete: true, Admin: true}},
	"admin": {"delete", "manage", "write", WorkspaceGrant{Runs: "apply", Variables: "write", StateVersions: "write", SentinelMocks: "read",
		Locking: true, RunTasks: true, PolicyOverrides: true, Create: true, Move: true, Delete: true, Admin: true}},
	"custom": {"read", "none", "none", workspaceLevels["custom"]},
}

var projectAccessLevels = []string{"read", "write", "maintain", "admin", "custom"}

// addGrant widens a project's permissions by one team-projects access.
func (pp *projectPerms) addGrant(g *TeamProjectAccess) {
	pp.canRead = true
	pp.canUpdate = pp.canUpdate || g.Settings == "update" || g.Settings == "delete"
	pp.canDelete = pp.canDelete || g.Settings == "delete"
	pp.canReadTeams = pp.canReadTeams || g.Teams == "read" || g.Teams == "manage"
	pp.canManageTeams = pp.canManageTeams || g.Teams == "manage"
	pp.canCreateWorkspaces = pp.canCreateWorkspaces || g.Workspaces.Create
	pp.canMoveWorkspaces = pp.canMoveWorkspaces || g.Workspaces.Move
	pp.workspaces.add(g.Workspaces)
}

type projectAccessAttributes struct {
	Settings     string `json:"settings"`
	Teams        string `json:"teams"`
	VariableSets string `json:"variable-sets"`
}

type projectWorkspaceAccessAttributes struct {
	Create          bool   `json:"create"`
	Move            bool   `json:"move"`
	Locking         bool   `json:"locking"`
	Delete          bool   `json:"delete"`
	Runs            string `json:"runs"`
	Variables       string `json:"variables"`
	StateVersions   string `json:"state-versions"`
	SentinelMocks   string `json:"sentinel-mocks"`
	RunTasks        bool   `json:"run-tasks"`
	PolicyOverrides bool   `json:"policy-overrides"`
}

type teamProjectAttributes struct {
	Access          string                           `json:"access"`
	ProjectAccess   projectAccessAttributes          `json:"project-access"`
	WorkspaceAccess projectWorkspaceAccessAttributes `json:"workspace-access"`
}

// teamProjectResource is the one representation of a team-projects access.
func teamProjectResource(a *TeamProjectAccess) Resource {
	g := a.Workspaces
	return Resource{
		ID:   a.ID,
		Type: "team-projects",
		Attributes: teamProjectAttributes{
			Access:        a.Access,
			ProjectAccess: projectAccessAttributes{Settings: a.Settings, Teams: a.Teams, VariableSets: a.VariableSets},
			WorkspaceAccess: projectWorkspaceAccessAttributes{Create: g.Create, Move: g.Move, Locking: g.Locking, Delete: g.Delete,
				Runs: g.Runs, Variables: g.Variables, StateVersions: g.StateVersions, SentinelMocks: g.SentinelMocks,
				RunTasks: g.RunTasks, PolicyOverrides: g.PolicyOverrides},
		},
		Relationships: map[string]Relationship{
			"team":    {Data: &Ref{ID: a.TeamID, Type: "teams"}, Links: map[string]string{"related": "/api/v2/teams/" + a.TeamID}},
			"project": {Data: &Ref{ID: a.ProjectID, Type: "projects"}, Links: map[string]string{"related": "/api/v2/projects/" + a.ProjectID}},
		},
		Links: map[string]string{"self": "/api/v2/team-projects/" + a.ID},
	}
}

// teamProjectInput is the attributes a team-projects create or update may
// send.
type teamProjectInput struct {
	Access        *string `json:"access"`
	ProjectAccess *struct {
		Settings     *string `json:"settings"`
		Teams        *string `json:"teams"`
		VariableSets *string `json:"variable-sets"`
	} `json:"project-access"`
	WorkspaceAccess *struct {
		Runs            *string `json:"runs"`
		SentinelMocks   *string `json:"sentinel-mocks"`
		StateVersions   *string `json:"state-versions"`
		Variables       *string `json:"variables"`
		Create          *bool   `json:"create"`
		Locking         *bool   `json:"locking"`
		Move            *bool   `json:"move"`
		Delete          *bool   `json:"delete"`
		RunTasks        *bool   `json:"run-tasks"`
		PolicyOverrides *bool   `json:"policy-overrides"`
	} `json:"workspace-access"`
}

func (in *teamProjectInput) fields() []permField {
	var out []permField
	if p := in.ProjectAccess; p != nil {
		const base = "/data/attributes/project-access/"
		out = append(out,
			enumField(base+"settings", "Project settings", p.Settings, []string{"read", "update", "delete"}),
			enumField(base+"teams", "Project teams", p.Teams, []string{"none", "read", "manage"}),
			enumField(base+"variable-sets", "Project variable sets", p.VariableSets, variablesValues))
	}
	if w := in.WorkspaceAccess; w != nil {
		const base = "/data/attributes/workspace-access/"
		out = append(out,
			enumField(base+"runs", "Workspace runs", w.Runs, runsValues),
			enumField(base+"sentinel-mocks", "Workspace sentinel mocks", w.SentinelMocks, sentinelMocksValues),
			enumField(base+"state-versions", "Workspace state versions", w.StateVersions, stateVersionsValues),
			enumField(base+"variables", "Workspace variables", w.Variables, variablesValues),
			boolField(base+"create", "Workspace create", w.Create),
			boolField(base+"locking", "Workspace locking", w.Locking),
			boolField(base+"move", "Workspace move", w.Move),
			boolField(base+"delete", "Workspace delete", w.Delete),
			boolField(base+"run-tasks", "Workspace run tasks", w.RunTasks),
			boolField(base+"policy-overrides", "Workspace policy overrides", w.PolicyOverrides))
	}
	return out
}

// apply sets a's level and permissions from the input, as
// teamWorkspaceInput.grant does for workspaces.
func (in *teamProjectInput) apply(a *TeamProjectAccess) {
	created := a.Access == ""
	if in.Access != nil {
		a.Access = *in.Access
	}
	if a.Access != "custom" || created {
		l := projectLevels[a.Access]
		a.Settings, a.Teams, a.VariableSets, a.Workspaces = l.settings, l.teams, l.variableSets, l.workspaces
	}
	if a.Access != "custom" {
		return
	}
	a.Workspaces.Admin = false
	if p := in.ProjectAccess; p != nil {
		setIf(&a.Settings, p.Settings)
		setIf(&a.Teams, p.Teams)
		setIf(&a.VariableSets, p.VariableSets)
	}
	if w := in.WorkspaceAccess; w != nil {
		g := &a.Workspaces
		setIf(&g.Runs, w.Runs)
		setIf(&g.SentinelMocks, w.SentinelMocks)
		setIf(&g.StateVersions, w.StateVersions)
		setIf(&g.Variables, w.Variables)
		setIf(&g.Create, w.Create)
		setIf(&g.Locking, w.Locking)
		setIf(&g.Move, w.Move)
		setIf(&g.Delete, w.Delete)
		setIf(&g.RunTasks, w.RunTasks)
		setIf(&g.PolicyOverrides, w.PolicyOverrides)
	}
}

// teamProjectFor finds a team-projects access the caller may see: one on a
// project whose team access it may read.
func (st *State) teamProjectFor(p principal, id string, manage bool) (*TeamProjectAccess, error) {
	a, ok := st.TeamProjects[id]
	if !ok {
		return nil, errNotFound
	}
	pr := st.Projects[a.ProjectID]
	if pr == nil {
		return nil, errNotFound
	}
	perms := st.projectPermissions(p, pr)
	if !perms.canReadTeams || (manage && !perms.canManageTeams) {
		return nil, errNotFound
	}
	return a, nil
}

// listTeamProjects is GET /team-projects?filter[project][id]=.
func (s *Service) listTeamProjects(c *call) (int, any, error) {
	projectID, err := requiredFilter(c, "filter[project][id]")
	if err != nil {
		return 0, nil, err
	}
	teamID := c.r.URL.Query().Get("filter[team][id]")
	return s.view(http.StatusOK, func(st *State) (any, error) {
		pr, ok := st.Projects[projectID]
		if !ok || !st.projectPermissions(c.p, pr).canReadTeams {
			return nil, errNotFound
		}
		var all []Resource
		for _, a := range sortedBySeq(st.TeamProjects, func(a *TeamProjectAccess) bool {
			return a.ProjectID == pr.ID && (teamID == "" || a.TeamID == teamID)
		}) {
			all = append(all, teamProjectResource(a))
		}
		return paginate(c.r, all)
	})
}

// createTeamProject is POST /team-projects.
func (s *Service) createTeamProject(c *call) (int, any, error) {
	var in teamProjectInput
	res, err := decodeResource(c.r, "team-projects", &in)
	if err != nil {
		return 0, nil, err
	}
	level := ""
	if in.Access != nil {
		level = *in.Access
	}
	if err := validateAccess(level, in.Access != nil, true, projectAccessLevels, in.fields()); err != nil {
		return 0, nil, err
	}
	projectID, err := res.requiredRelationshipID("project", "Project")
	if err != nil {
		return 0, nil, err
	}
	return s.update(http.StatusCreated, func(st *State) (any, error) {
		pr, ok := st.Projects[projectID]
		if !ok || !st.projectPermissions(c.p, pr).canManageTeams {
			return nil, errNotFound
		}
		t, err := st.accessTeam(c.p, res, pr.Org, "project")
		if err != nil {
			return nil, err
		}
		if anyOf(st.TeamProjects, func(a *TeamProjectAccess) bool { return a.TeamID == t.ID && a.ProjectID == pr.ID }) {
			return nil, invalidAttribute("/data/relationships/team", "Team has already been taken")
		}
		a := &TeamProjectAccess{ID: newID("tprj"), TeamID: t.ID, ProjectID: pr.ID, seq: st.next()}
		in.apply(a)
		st.TeamProjects[a.ID] = a
		st.touch("TeamProjects", a.ID)
		return Document{Data: teamProjectResource(a)}, nil
	})
}

func (s *Service) readTeamProject(c *call) (int, any, error) {
	return s.view(http.StatusOK, func(st *State) (any, error) {
		a, err := st.teamProjectFor(c.p, c.path("id"), false)
		if err != nil {
			return nil, err
		}
		return Document{Data: teamProjectResource(a)}, nil
	})
}

// updateTeamProject is PATCH /team-projects/:id: judged whole before any
// of it is applied, so a refused one leaves the access as it was.
func (s *Service) updateTeamProject(c *call) (int, any, error) {
	var in teamProjectInput
	if _, err := decodeResource(c.r, "team-projects", &in); err != nil {
		return 0, nil, err
	}
	return s.update(http.StatusOK, func(st *State) (any, error) {
		a, err := st.teamProjectFor(c.p, c.path("id"), true)
		if err != nil {
			return nil, err
		}
		level := a.Access
		if in.Access != nil {
			level = *in.Access
		}
		if err := validateAccess(level, in.Access != nil, false, projectAccessLevels, in.fields()); err != nil {
			return nil, err
		}
		in.apply(a)
		st.touch("TeamProjects", a.ID)
		return Document{Data: teamProjectResource(a)}, nil
	})
}

func (s *Service) deleteTeamProject(c *call) (int, any, error) {
	return s.update(http.StatusNoContent, func(st *State) (any, error) {
		a, err := st.teamProjectFor(c.p, c.path("id"), true)
		if err != nil {
			return nil, err
		}
		delete(st.TeamProjects, a.ID)
		st.touch("TeamProjects", a.ID)
		return nil, nil
	})
}
