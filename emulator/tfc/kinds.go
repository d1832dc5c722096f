package tfc

import (
	"encoding/json"
	"fmt"
	"slices"
)

// kinds declares every TFC resource kind once, in restore order: its State
// map, its snapshot member, how an entry is keyed and ordered, what it must
// refer to, its organization, and which kinds own it (deleting an owner
// deletes what it owns; renaming an organization renames it in each
// kind). newState, Snapshot, Restore, checkReferences, State.remove and
// renameOrg iterate this table, so a new kind is one State field and one
// entry here.
var kinds = []kind{
	declare(spec[*User]{name: "Users", m: func(st *State) *map[string]*User { return &st.Users },
		key: func(u *User) string { return u.ID }, setSeq: func(u *User, n int64) { u.seq = n }}),
	declare(spec[*Organization]{name: "Orgs", m: func(st *State) *map[string]*Organization { return &st.Orgs },
		key: func(o *Organization) string { return o.Name }, setSeq: func(o *Organization, n int64) { o.seq = n },
		refs: func(st *State, o *Organization) error {
			if st.Projects[o.DefaultProjectID] == nil || st.Teams[o.OwnersTeamID] == nil {
				return fmt.Errorf("organization %s: unknown default project or owners team", o.Name)
			}
			return nil
		}}),
	declare(spec[*Team]{name: "Teams", m: func(st *State) *map[string]*Team { return &st.Teams },
		key: func(t *Team) string { return t.ID }, setSeq: func(t *Team, n int64) { t.seq = n },
		org: func(t *Team) *string { return &t.Org },
		refs: func(st *State, t *Team) error {
			if st.Orgs[t.Org] == nil {
				return fmt.Errorf("team %s: unknown organization %q", t.ID, t.Org)
			}
			return nil
		}}),
	declare(spec[*Project]{name: "Projects", m: func(st *State) *map[string]*Project { return &st.Projects },
		key: func(p *Project) string { return p.ID }, setSeq: func(p *Project, n int64) { p.seq = n },
		org: func(p *Project) *string { return &p.Org },
		refs: func(st *State, p *Project) error {
			if st.Orgs[p.Org] == nil {
				return fmt.Errorf("project %s: unknown organization %q", p.ID, p.Org)
			}
			return nil
		}}),
	declare(spec[*Workspace]{name: "Workspaces", m: func(st *State) *map[string]*Workspace { return &st.Workspaces },
		key: func(w *Workspace) string { return w.ID }, setSeq: func(w *Workspace, n int64) { w.seq = n },
		org: func(w *Workspace) *string { return &w.Org },
		refs: func(st *State, w *Workspace) error {
			if st.Orgs[w.Org] == nil || st.Projects[w.ProjectID] == nil {
				return fmt.Errorf("workspace %s: unknown organization or project", w.ID)
			}
			for _, id := range w.RemoteStateConsumers {
				if c := st.Workspaces[id]; c == nil || c.Org != w.Org {
					return fmt.Errorf("workspace %s: unknown remote state consumer %q", w.ID, id)
				}
			}
			return nil
		},
		unlink: (*State).unlinkWorkspace}),
	declare(spec[*Variable]{name: "Vars", m: func(st *State) *map[string]*Variable { return &st.Vars },
		key: func(v *Variable) string { return v.ID }, setSeq: func(v *Variable, n int64) { v.seq = n },
		owners: map[string]func(*Variable) string{
			"Workspaces": func(v *Variable) string { return v.WorkspaceID },
			"VarSets":    func(v *Variable) string { return v.VarSetID },
		},
		refs: func(st *State, v *Variable) error {
			if st.Workspaces[v.WorkspaceID] == nil && st.VarSets[v.VarSetID] == nil {
				return fmt.Errorf("variable %s: unknown workspace or variable set", v.ID)
			}
			return nil
		}}),
	declare(spec[*VariableSet]{name: "VarSets", m: func(st *State) *map[string]*VariableSet { return &st.VarSets },
		key: func(v *VariableSet) string { return v.ID }, setSeq: func(v *VariableSet, n int64) { v.seq = n },
		org: func(v *VariableSet) *string { return &v.Org },
		refs: func(st *State, v *VariableSet) error {
			if st.Orgs[v.Org] == nil {
				return fmt.Errorf("variable set %s: unknown organization %q", v.ID, v.Org)
			}
			return nil
		}}),
	declare(spec[*RegistryModule]{name: "Modules", m: func(st *State) *map[string]*RegistryModule { return &st.Modules },
		key: func(m *RegistryModule) string { return m.ID }, setSeq: func(m *RegistryModule, n int64) { m.seq = n },
		org: func(m *RegistryModule) *string { return &m.Org },
		refs: func(st *State, m *RegistryModule) error {
			if st.Orgs[m.Org] == nil {
				return fmt.Errorf("registry module %s: unknown organization %q", m.ID, m.Org)
			}
			return nil
		}}),
	declare(spec[*TestRun]{name: "TestRuns", m: func(st *State) *map[string]*TestRun { return &st.TestRuns },
		key: func(r *TestRun) string { return r.ID }, setSeq: func(r *TestRun, n int64) { r.seq = n },
		owners: map[string]func(*TestRun) string{"Modules": func(r *TestRun) string { return r.ModuleID }},
		refs: func(st *State, r *TestRun) error {
			if st.Modules[r.ModuleID] == nil {
				return fmt.Errorf("test run %s: unknown module", r.ID)
			}
			return nil
		}}),
	declare(spec[*AgentPool]{name: "AgentPools", m: func(st *State) *map[string]*AgentPool { return &st.AgentPools },
		key: func(p *AgentPool) string { return p.ID }, setSeq: func(p *AgentPool, n int64) { p.seq = n },
		org: func(p *AgentPool) *string { return &p.Org },
		refs: func(st *State, p *AgentPool) error {
			if st.Orgs[p.Org] == nil {
				return fmt.Errorf("agent pool %s: unknown organization %q", p.ID, p.Org)
			}
			return nil
		}}),
	declare(spec[*Agent]{name: "Agents", m: func(st *State) *map[string]*Agent { return &st.Agents },
		key: func(a *Agent) string { return a.ID }, setSeq: func(a *Agent, n int64) { a.seq = n },
		owners: map[string]func(*Agent) string{"AgentPools": func(a *Agent) string { return a.PoolID }}}),
	declare(spec[*Run]{name: "Runs", m: func(st *State) *map[string]*Run { return &st.Runs },
		key: func(r *Run) string { return r.ID }, setSeq: func(r *Run, n int64) { r.seq = n },
		owners: map[string]func(*Run) string{"Workspaces": func(r *Run) string { return r.WorkspaceID }},
		refs: func(st *State, r *Run) error {
			if st.Workspaces[r.WorkspaceID] == nil || r.Plan == nil || r.Apply == nil {
				return fmt.Errorf("run %s: unknown workspace or missing phases", r.ID)
			}
			return nil
		}}),
	declare(spec[*OrganizationMembership]{name: "Memberships", m: func(st *State) *map[string]*OrganizationMembership { return &st.Memberships },
		key: func(m *OrganizationMembership) string { return m.ID }, setSeq: func(m *OrganizationMembership, n int64) { m.seq = n },
		org: func(m *OrganizationMembership) *string { return &m.Org },
		refs: func(st *State, m *OrganizationMembership) error {
			if st.Orgs[m.Org] == nil || st.Users[m.UserID] == nil {
				return fmt.Errorf("organization membership %s: unknown organization or user", m.ID)
			}
			return nil
		}}),
	declare(spec[*TeamWorkspaceAccess]{name: "TeamWorkspaces", optional: true,
		m:   func(st *State) *map[string]*TeamWorkspaceAccess { return &st.TeamWorkspaces },
		key: func(a *TeamWorkspaceAccess) string { return a.ID }, setSeq: func(a *TeamWorkspaceAccess, n int64) { a.seq = n },
		owners: map[string]func(*TeamWorkspaceAccess) string{
			"Teams":      func(a *TeamWorkspaceAccess) string { return a.TeamID },
			"Workspaces": func(a *TeamWorkspaceAccess) string { return a.WorkspaceID },
		},
		check: (*State).checkTeamAccessReferences}),
	declare(spec[*TeamProjectAccess]{name: "TeamProjects", optional: true,
		m:   func(st *State) *map[string]*TeamProjectAccess { return &st.TeamProjects },
		key: func(a *TeamProjectAccess) string { return a.ID }, setSeq: func(a *TeamProjectAccess, n int64) { a.seq = n },
		owners: map[string]func(*TeamProjectAccess) string{
			"Teams":    func(a *TeamProjectAccess) string { return a.TeamID },
			"Projects": func(a *TeamProjectAccess) string { return a.ProjectID },
		}}),
	declare(spec[*StateVersion]{name: "StateVersions", optional: true,
		m:   func(st *State) *map[string]*StateVersion { return &st.StateVersions },
		key: func(sv *StateVersion) string { return sv.ID }, setSeq: func(sv *StateVersion, n int64) { sv.seq = n },
		owners: map[string]func(*StateVersion) string{"Workspaces": func(sv *StateVersion) string { return sv.WorkspaceID }},
		check:  (*State).checkHostedReferences,
		unlink: (*State).unlinkStateVersion}),
	declare(spec[*ConfigurationVersion]{name: "ConfigVersions", optional: true,
		m:   func(st *State) *map[string]*ConfigurationVersion { return &st.ConfigVersions },
		key: func(cv *ConfigurationVersion) string { return cv.ID }, setSeq: func(cv *ConfigurationVersion, n int64) { cv.seq = n },
		owners: map[string]func(*ConfigurationVersion) string{"Workspaces": func(cv *ConfigurationVersion) string { return cv.WorkspaceID }}}),
	declare(spec[*HostedObject]{name: "Objects", optional: true,
		m:   func(st *State) *map[string]*HostedObject { return &st.Objects },
		key: func(o *HostedObject) string { return o.Key }, setSeq: func(o *HostedObject, n int64) { o.seq = n },
		owners: map[string]func(*HostedObject) string{
			"StateVersions":  func(o *HostedObject) string { return o.OwnerID },
			"ConfigVersions": func(o *HostedObject) string { return o.OwnerID },
		}}),
	currentStateVersionsKind,
	declare(spec[*Token]{name: "Tokens", m: func(st *State) *map[string]*Token { return &st.Tokens },
		key: func(t *Token) string { return t.ID }, setSeq: func(t *Token, n int64) { t.seq = n },
		org: func(t *Token) *string { return &t.Org },
		owners: map[string]func(*Token) string{
			"Teams":      func(t *Token) string { return t.TeamID },
			"AgentPools": func(t *Token) string { return t.PoolID },
		},
		add: func(st *State, t *Token) error {
			if t.ID == "" || t.Secret == "" {
				return fmt.Errorf("tfc snapshot: a token without id or secret")
			}
			st.addToken(t)
			return nil
		},
		refs: func(st *State, t *Token) error {
			if t.Kind == TokenAgent && st.AgentPools[t.PoolID] == nil {
				return fmt.Errorf("agent token %s: unknown agent pool %q", t.ID, t.PoolID)
			}
			return nil
		},
		unlink: func(st *State, id string) { delete(st.secrets, st.Tokens[id].Secret) }}),
}

// derivedIndexes are the State maps that are not kinds: indexes rebuilt
// from the kinds (never persisted).
var derivedIndexes = []string{"secrets", "svOutputs", "currentCV", "used", "idx"}

// currentStateVersionsKind is each workspace's current state version id,
// a snapshot member of its own; a workspace's deletion clears its entry.
var currentStateVersionsKind = kind{
	name:     "CurrentStateVersions",
	optional: true,
	init:     func(st *State) { st.CurrentStateVersions = map[string]string{} },
	size:     func(st *State) int { return len(st.CurrentStateVersions) },
	save:     func(st *State) any { return st.CurrentStateVersions },
	load: func(st *State, raw json.RawMessage) error {
		return json.Unmarshal(raw, &st.CurrentStateVersions)
	},
	check: func(*State) error { return nil },
	get: func(st *State, key string) (any, int64, bool) {
		id, ok := st.CurrentStateVersions[key]
		return id, 0, ok
	},
	children:  func(*State, string, string) []string { return nil },
	del:       func(*State, string) {},
	renameOrg: func(*State, string, string) {},
}

// unlinkWorkspace clears what points at a workspace without owning it:
// variable set and agent pool attachments, remote state consumers, and the
// workspace's current state and configuration version indexes.
func (st *State) unlinkWorkspace(id string) {
	st.forgetWorkspace(id)
	for _, vs := range st.VarSets {
		if slices.Contains(vs.WorkspaceIDs, id) {
			vs.WorkspaceIDs = without(vs.WorkspaceIDs, id)
			st.changes.mark("VarSets", vs.ID)
		}
	}
	for _, p := range st.AgentPools {
		if slices.Contains(p.AllowedWorkspaceIDs, id) || slices.Contains(p.ExcludedWorkspaceIDs, id) {
			p.AllowedWorkspaceIDs = without(p.AllowedWorkspaceIDs, id)
			p.ExcludedWorkspaceIDs = without(p.ExcludedWorkspaceIDs, id)
			st.changes.mark("AgentPools", p.ID)
		}
	}
	for _, w := range st.Workspaces {
		if slices.Contains(w.RemoteStateConsumers, id) {
			w.RemoteStateConsumers = without(w.RemoteStateConsumers, id)
			st.changes.mark("Workspaces", w.ID)
		}
	}
	if _, ok := st.CurrentStateVersions[id]; ok {
		delete(st.CurrentStateVersions, id)
		st.changes.mark("CurrentStateVersions", id)
	}
	delete(st.currentCV, id)
}

// unlinkStateVersion drops a state version's outputs from the output index.
func (st *State) unlinkStateVersion(id string) { st.dropSVOutputs(st.StateVersions[id]) }
