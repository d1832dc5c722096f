package tfc

// A caller's effective permissions on a workspace are the union of what
// reaches it: ownership, its teams' organization access (manage-workspaces
// and manage-projects give admin on every workspace, read-workspaces read),
// its teams' access to the workspace's project (team-projects) and to the
// workspace itself (team-workspaces).

// WorkspaceGrant is what one team access gives on a workspace: a
// team-workspaces access, or the workspace-access part of a team-projects
// access (which alone uses Create, Move and Delete).
type WorkspaceGrant struct {
	Runs            string // read, plan, apply
	Variables       string // none, read, write
	StateVersions   string // none, read-outputs, read, write
	SentinelMocks   string // none, read
	Locking         bool
	RunTasks        bool
	PolicyOverrides bool
	Create          bool
	Move            bool
	Delete          bool
	// Admin is the admin (and, for projects, maintain) level: it may change
	// the workspace's settings, delete it, force-unlock it and manage its
	// team access.
	Admin bool
}

// workspacePerms is what a caller may do on one workspace.
type workspacePerms struct {
	canRead                bool
	canQueueRun            bool
	canApply               bool
	canReadVariables       bool
	canUpdateVariables     bool
	canReadStateOutputs    bool
	canReadStateVersions   bool
	canCreateStateVersions bool
	canReadSentinelMocks   bool
	canLock                bool
	canForceUnlock         bool
	canUpdate              bool
	canDelete              bool
	canManageTeamAccess    bool
	canManageRunTasks      bool
	canOverridePolicies    bool
}

func adminWorkspacePerms() workspacePerms {
	return workspacePerms{true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true}
}

// add widens p by what g gives.
func (p *workspacePerms) add(g WorkspaceGrant) {
	if g.Admin {
		*p = adminWorkspacePerms()
		return
	}
	p.canRead = true
	p.canQueueRun = p.canQueueRun || g.Runs == "plan" || g.Runs == "apply"
	p.canApply = p.canApply || g.Runs == "apply"
	p.canReadVariables = p.canReadVariables || g.Variables == "read" || g.Variables == "write"
	p.canUpdateVariables = p.canUpdateVariables || g.Variables == "write"
	p.canReadStateOutputs = p.canReadStateOutputs || (g.StateVersions != "none" && g.StateVersions != "")
	p.canReadStateVersions = p.canReadStateVersions || g.StateVersions == "read" || g.StateVersions == "write"
	p.canCreateStateVersions = p.canCreateStateVersions || g.StateVersions == "write"
	p.canReadSentinelMocks = p.canReadSentinelMocks || g.SentinelMocks == "read"
	p.canLock = p.canLock || g.Locking
	p.canManageRunTasks = p.canManageRunTasks || g.RunTasks
	p.canOverridePolicies = p.canOverridePolicies || g.PolicyOverrides
	p.canDelete = p.canDelete || g.Delete
}

// readGrant is what read-workspaces gives on every workspace.
var readGrant = WorkspaceGrant{Runs: "read", Variables: "read", StateVersions: "read", SentinelMocks: "none"}

// projectPerms is what a caller may do on one project.
type projectPerms struct {
	canRead, canUpdate, canDelete          bool
	canReadTeams, canManageTeams           bool
	canCreateWorkspaces, canMoveWorkspaces bool
	workspaces                             workspacePerms
}

// access is what one principal holds in one organization, gathered once
// so a list of many workspaces costs one pass over the grants.
type access struct {
	member     bool
	owner      bool
	teams      []*Team
	projects   map[string]*projectPerms
	workspaces map[string]*workspacePerms
}

// accessIn gathers p's access in org.
func (st *State) accessIn(p principal, org string) *access {
	a := &access{projects: map[string]*projectPerms{}, workspaces: map[string]*workspacePerms{}}
	if !st.memberOf(p, org) {
		return a
	}
	a.member, a.owner = true, st.isOwner(p, org)
	if a.owner {
		return a
	}
	ids := map[string]bool{}
	switch p.kind {
	case "user":
		for _, t := range st.Teams {
			if t.Org == org && t.hasMember(p.userID) {
				a.teams, ids[t.ID] = append(a.teams, t), true
			}
		}
	case "team":
		if t, ok := st.Teams[p.teamID]; ok && t.Org == org {
			a.teams, ids[t.ID] = append(a.teams, t), true
		}
	}
	if len(ids) == 0 {
		return a
	}
	for _, g := range st.TeamProjects {
		if !ids[g.TeamID] {
			continue
		}
		pp := a.projects[g.ProjectID]
		if pp == nil {
			pp = &projectPerms{}
			a.projects[g.ProjectID] = pp
		}
		pp.addGrant(g)
	}
	for _, g := range st.TeamWorkspaces {
		if !ids[g.TeamID] {
			continue
		}
		wp := a.workspaces[g.WorkspaceID]
		if wp == nil {
			wp = &workspacePerms{}
			a.workspaces[g.WorkspaceID] = wp
		}
		wp.add(g.Grant)
	}
	return a
}

// orgCan reports whether one of the caller's teams holds perm (owners hold
// everything).
func (a *access) orgCan(perm func(TeamAccess) bool) bool {
	if a.owner {
		return true
	}
	for _, t := range a.teams {
		if perm(t.Access) {
			return true
		}
	}
	return false
}

// project is the caller's permissions on project pr.
func (a *access) project(pr *Project) projectPerms {
	if !a.member {
		return projectPerms{}
	}
	if a.orgCan(manageProjects) {
		return projectPerms{true, true, true, true, true, true, true, adminWorkspacePerms()}
	}
	var out projectPerms
	if pp := a.projects[pr.ID]; pp != nil {
		out = *pp
	}
	if a.orgCan(readProjects) {
		out.canRead = true
	}
	if a.orgCan(manageWorkspaces) {
		out.canRead, out.canCreateWorkspaces, out.canMoveWorkspaces = true, true, true
		out.workspaces = adminWorkspacePerms()
	}
	return out
}

// workspace is the caller's permissions on workspace w.
func (a *access) workspace(w *Workspace) workspacePerms {
	if !a.member {
		return workspacePerms{}
	}
	if a.orgCan(func(t TeamAccess) bool { return t.ManageWorkspaces || t.ManageProjects }) {
		return adminWorkspacePerms()
	}
	var out workspacePerms
	if a.orgCan(readWorkspaces) {
		out.add(readGrant)
	}
	if pp := a.projects[w.ProjectID]; pp != nil {
		merge(&out, pp.workspaces)
	}
	if wp := a.workspaces[w.ID]; wp != nil {
		merge(&out, *wp)
	}
	return out
}

// merge widens p by q.
func merge(p *workspacePerms, q workspacePerms) {
	p.canRead = p.canRead || q.canRead
	p.canQueueRun = p.canQueueRun || q.canQueueRun
	p.canApply = p.canApply || q.canApply
	p.canReadVariables = p.canReadVariables || q.canReadVariables
	p.canUpdateVariables = p.canUpdateVariables || q.canUpdateVariables
	p.canReadStateOutputs = p.canReadStateOutputs || q.canReadStateOutputs
	p.canReadStateVersions = p.canReadStateVersions || q.canReadStateVersions
	p.canCreateStateVersions = p.canCreateStateVersions || q.canCreateStateVersions
	p.canReadSentinelMocks = p.canReadSentinelMocks || q.canReadSentinelMocks
	p.canLock = p.canLock || q.canLock
	p.canForceUnlock = p.canForceUnlock || q.canForceUnlock
	p.canUpdate = p.canUpdate || q.canUpdate
	p.canDelete = p.canDelete || q.canDelete
	p.canManageTeamAccess = p.canManageTeamAccess || q.canManageTeamAccess
	p.canManageRunTasks = p.canManageRunTasks || q.canManageRunTasks
	p.canOverridePolicies = p.canOverridePolicies || q.canOverridePolicies
}

// workspacePermissions is p's effective permissions on w.
func (st *State) workspacePermissions(p principal, w *Workspace) workspacePerms {
	return st.accessIn(p, w.Org).workspace(w)
}

// projectPermissions is p's effective permissions on project pr.
func (st *State) projectPermissions(p principal, pr *Project) projectPerms {
	return st.accessIn(p, pr.Org).project(pr)
}

// workspaceWith finds the request's workspace (path {id}, or {org} and
// {name}) when the caller may read it and, if need is not nil, holds what
// need asks. Either failing is TFC's 404: it hides what a caller may not
// touch, and the OpenAPI document answers 404 "user unauthorized" for
// workspace reads, changes, locks and deletes alike.
func (st *State) workspaceWith(p principal, ref wsRef, need func(workspacePerms) bool) (*Workspace, workspacePerms, error) {
	var w *Workspace
	var ok bool
	if ref.id != "" {
		w, ok = st.Workspaces[ref.id]
	} else {
		w, ok = st.workspaceByName(ref.org, ref.name)
	}
	if !ok {
		return nil, workspacePerms{}, errNotFound
	}
	perms := st.workspacePermissions(p, w)
	if !perms.canRead || (need != nil && !need(perms)) {
		return nil, workspacePerms{}, errNotFound
	}
	return w, perms, nil
}

// Needs for workspaceWith.
var (
	needUpdate          = func(p workspacePerms) bool { return p.canUpdate }
	needDelete          = func(p workspacePerms) bool { return p.canDelete }
	needLock            = func(p workspacePerms) bool { return p.canLock }
	needForceUnlock     = func(p workspacePerms) bool { return p.canForceUnlock }
	needReadVariables   = func(p workspacePerms) bool { return p.canReadVariables }
	needUpdateVariables = func(p workspacePerms) bool { return p.canUpdateVariables }
	needQueueRun        = func(p workspacePerms) bool { return p.canQueueRun }
	needManageTeams     = func(p workspacePerms) bool { return p.canManageTeamAccess }
	// The state permissions: reading the whole state implies its outputs.
	needReadStateVersions   = func(p workspacePerms) bool { return p.canReadStateVersions }
	needReadStateOutputs    = func(p workspacePerms) bool { return p.canReadStateOutputs || p.canReadStateVersions }
	needCreateStateVersions = func(p workspacePerms) bool { return p.canCreateStateVersions }
)

// readProjects: who may see every project of the organization.
var readProjects = func(a TeamAccess) bool {
	return a.ReadProjects || a.ManageProjects || a.ReadWorkspaces || a.ManageWorkspaces
}

// attribute is a workspace's permissions attribute for these permissions.
func (p workspacePerms) attribute() wsPermissions {
	return wsPermissions{
		CanDestroy: p.canDelete, CanForceUnlock: p.canForceUnlock, CanLock: p.canLock, CanUnlock: p.canLock,
		CanManageRunTasks: p.canManageRunTasks, CanQueueApply: p.canApply, CanQueueDestroy: p.canApply, CanQueueRun: p.canQueueRun,
		CanReadSettings: p.canRead, CanReadStateVersions: p.canReadStateVersions, CanReadVariable: p.canReadVariables,
		CanUpdate: p.canUpdate, CanUpdateVariable: p.canUpdateVariables, CanForceDelete: p.canDelete && p.canUpdate,
		CanReadStateOutputs: p.canReadStateOutputs, CanCreateStateVersions: p.canCreateStateVersions, CanManageTags: p.canUpdate,
		CanManageAssessments: p.canUpdate, CanReadAssessmentResults: p.canRead,
	}
}

// canMoveWorkspace reports whether p may move w from its project to the
// project to: TFC asks for move rights on both.
func (st *State) canMoveWorkspace(p principal, w *Workspace, to string) bool {
	a := st.accessIn(p, w.Org)
	from, dest := st.Projects[w.ProjectID], st.Projects[to]
	return from != nil && dest != nil && a.project(from).canMoveWorkspaces && a.project(dest).canMoveWorkspaces
}
