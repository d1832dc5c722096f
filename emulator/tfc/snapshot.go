package tfc

import (
	"encoding/json"
	"fmt"
)

// snapshot is the persisted form of State: each resource list in creation
// order. Token secrets are in it, so a state file is as sensitive as the
// tokens themselves.
type snapshot struct {
	Users      []*User
	Orgs       []*Organization
	Teams      []*Team
	Projects   []*Project
	Workspaces []*Workspace
	Vars       []*Variable
	VarSets    []*VariableSet
	Tokens     []*Token
	Modules    []*RegistryModule
	TestRuns   []*TestRun
	AgentPools []*AgentPool
	Agents     []*Agent
	Runs       []*Run
	// Memberships are organization memberships.
	Memberships []*OrganizationMembership

	// TeamWorkspaces and TeamProjects are absent from older snapshots.
	TeamWorkspaces []*TeamWorkspaceAccess `json:",omitempty"`
	TeamProjects   []*TeamProjectAccess   `json:",omitempty"`

	// State and configuration versions carry their files; Objects are the
	// archivist keys that reach them.
	StateVersions        []*StateVersion         `json:",omitempty"`
	ConfigVersions       []*ConfigurationVersion `json:",omitempty"`
	Objects              []*HostedObject         `json:",omitempty"`
	CurrentStateVersions map[string]string       `json:",omitempty"`
}

// Snapshot returns the whole TFC state as JSON, for --state-file.
func (s *Service) Snapshot() (json.RawMessage, error) {
	var b []byte
	err := s.store.View(func(st *State) error {
		var err error
		b, err = json.Marshal(snapshot{
			Users:          sortedBySeq(st.Users, nil),
			Orgs:           sortedBySeq(st.Orgs, nil),
			Teams:          sortedBySeq(st.Teams, nil),
			Projects:       sortedBySeq(st.Projects, nil),
			Workspaces:     sortedBySeq(st.Workspaces, nil),
			Vars:           sortedBySeq(st.Vars, nil),
			VarSets:        sortedBySeq(st.VarSets, nil),
			Tokens:         sortedBySeq(st.Tokens, nil),
			Modules:        sortedBySeq(st.Modules, nil),
			TestRuns:       sortedBySeq(st.TestRuns, nil),
			AgentPools:     sortedBySeq(st.AgentPools, nil),
			Agents:         sortedBySeq(st.Agents, nil),
			Runs:           sortedBySeq(st.Runs, nil),
			Memberships:    sortedBySeq(st.Memberships, nil),
			TeamWorkspaces: sortedBySeq(st.TeamWorkspaces, nil),
			TeamProjects:   sortedBySeq(st.TeamProjects, nil),

			StateVersions:        sortedBySeq(st.StateVersions, nil),
			ConfigVersions:       sortedBySeq(st.ConfigVersions, nil),
			Objects:              sortedBySeq(st.Objects, nil),
			CurrentStateVersions: st.CurrentStateVersions,
		})
		return err
	})
	return b, err
}

// Restore replaces the TFC state with a snapshot. A snapshot with null
// entries or references to things it does not hold is refused, and the
// state stays as it was.
func (s *Service) Restore(raw json.RawMessage) error {
	var snap snapshot
	if err := json.Unmarshal(raw, &snap); err != nil {
		return fmt.Errorf("tfc snapshot: %w", err)
	}
	st := newState()
	if err := fill(st, snap.Users, st.Users, func(u *User) string { return u.ID }, func(u *User, n int64) { u.seq = n }); err != nil {
		return err
	}
	if err := fill(st, snap.Orgs, st.Orgs, func(o *Organization) string { return o.Name }, func(o *Organization, n int64) { o.seq = n }); err != nil {
		return err
	}
	if err := fill(st, snap.Teams, st.Teams, func(t *Team) string { return t.ID }, func(t *Team, n int64) { t.seq = n }); err != nil {
		return err
	}
	if err := fill(st, snap.Projects, st.Projects, func(p *Project) string { return p.ID }, func(p *Project, n int64) { p.seq = n }); err != nil {
		return err
	}
	if err := fill(st, snap.Workspaces, st.Workspaces, func(w *Workspace) string { return w.ID }, func(w *Workspace, n int64) { w.seq = n }); err != nil {
		return err
	}
	if err := fill(st, snap.Vars, st.Vars, func(v *Variable) string { return v.ID }, func(v *Variable, n int64) { v.seq = n }); err != nil {
		return err
	}
	if err := fill(st, snap.VarSets, st.VarSets, func(v *VariableSet) string { return v.ID }, func(v *VariableSet, n int64) { v.seq = n }); err != nil {
		return err
	}
	if err := fill(st, snap.Modules, st.Modules, func(m *RegistryModule) string { return m.ID }, func(m *RegistryModule, n int64) { m.seq = n }); err != nil {
		return err
	}
	if err := fill(st, snap.TestRuns, st.TestRuns, func(r *TestRun) string { return r.ID }, func(r *TestRun, n int64) { r.seq = n }); err != nil {
		return err
	}
	if err := fill(st, snap.AgentPools, st.AgentPools, func(p *AgentPool) string { return p.ID }, func(p *AgentPool, n int64) { p.seq = n }); err != nil {
		return err
	}
	if err := fill(st, snap.Agents, st.Agents, func(a *Agent) string { return a.ID }, func(a *Agent, n int64) { a.seq = n }); err != nil {
		return err
	}
	if err := fill(st, snap.Runs, st.Runs, func(r *Run) string { return r.ID }, func(r *Run, n int64) { r.seq = n }); err != nil {
		return err
	}
	if err := fill(st, snap.Memberships, st.Memberships, func(m *OrganizationMembership) string { return m.ID }, func(m *OrganizationMembership, n int64) { m.seq = n }); err != nil {
		return err
	}
	if err := fill(st, snap.TeamWorkspaces, st.TeamWorkspaces, func(a *TeamWorkspaceAccess) string { return a.ID }, func(a *TeamWorkspaceAccess, n int64) { a.seq = n }); err != nil {
		return err
	}
	if err := fill(st, snap.TeamProjects, st.TeamProjects, func(a *TeamProjectAccess) string { return a.ID }, func(a *TeamProjectAccess, n int64) { a.seq = n }); err != nil {
		return err
	}
	if err := restoreHosted(st, &snap); err != nil {
		return err
	}
	for _, t := range snap.Tokens {
		if t == nil || t.ID == "" || t.Secret == "" {
			return fmt.Errorf("tfc snapshot: a token without id or secret")
		}
		st.addToken(t)
	}
	for _, o := range sortedBySeq(st.Orgs, nil) {
		// Snapshots from before memberships existed: team members are
		// active members.
		st.activateTeamMembers(o.Name, o.CreatedAt)
	}
	if err := st.checkReferences(); err != nil {
		return fmt.Errorf("tfc snapshot: %w", err)
	}
	return s.store.Update(func(cur *State) error {
		*cur = *st
		return nil
	})
}

// fill puts a snapshot's list into a map in order, refusing null entries
// and empty keys.
func fill[T any](st *State, list []*T, m map[string]*T, key func(*T) string, setSeq func(*T, int64)) error {
	for _, v := range list {
		if v == nil || key(v) == "" {
			return fmt.Errorf("tfc snapshot: a null entry or one without its id")
		}
		setSeq(v, st.next())
		m[key(v)] = v
	}
	return nil
}

// checkReferences refuses a state whose resources point at what it does
// not hold; handlers rely on these links.
func (st *State) checkReferences() error {
	for _, t := range st.Teams {
		if st.Orgs[t.Org] == nil {
			return fmt.Errorf("team %s: unknown organization %q", t.ID, t.Org)
		}
	}
	for _, o := range st.Orgs {
		if st.Projects[o.DefaultProjectID] == nil || st.Teams[o.OwnersTeamID] == nil {
			return fmt.Errorf("organization %s: unknown default project or owners team", o.Name)
		}
	}
	for _, p := range st.Projects {
		if st.Orgs[p.Org] == nil {
			return fmt.Errorf("project %s: unknown organization %q", p.ID, p.Org)
		}
	}
	for _, w := range st.Workspaces {
		if st.Orgs[w.Org] == nil || st.Projects[w.ProjectID] == nil {
			return fmt.Errorf("workspace %s: unknown organization or project", w.ID)
		}
	}
	for _, v := range st.VarSets {
		if st.Orgs[v.Org] == nil {
			return fmt.Errorf("variable set %s: unknown organization %q", v.ID, v.Org)
		}
	}
	for _, v := range st.Vars {
		if st.Workspaces[v.WorkspaceID] == nil && st.VarSets[v.VarSetID] == nil {
			return fmt.Errorf("variable %s: unknown workspace or variable set", v.ID)
		}
	}
	for _, m := range st.Modules {
		if st.Orgs[m.Org] == nil {
			return fmt.Errorf("registry module %s: unknown organization %q", m.ID, m.Org)
		}
	}
	for _, p := range st.AgentPools {
		if st.Orgs[p.Org] == nil {
			return fmt.Errorf("agent pool %s: unknown organization %q", p.ID, p.Org)
		}
	}
	for _, r := range st.Runs {
		if st.Workspaces[r.WorkspaceID] == nil || r.Plan == nil || r.Apply == nil {
			return fmt.Errorf("run %s: unknown workspace or missing phases", r.ID)
		}
	}
	for _, m := range st.Memberships {
		if st.Orgs[m.Org] == nil || st.Users[m.UserID] == nil {
			return fmt.Errorf("organization membership %s: unknown organization or user", m.ID)
		}
	}
	for _, t := range st.Tokens {
		if t.Kind == TokenAgent && st.AgentPools[t.PoolID] == nil {
			return fmt.Errorf("agent token %s: unknown agent pool %q", t.ID, t.PoolID)
		}
	}
	if err := st.checkTeamAccessReferences(); err != nil {
		return err
	}
	if err := st.checkHostedReferences(); err != nil {
		return err
	}
	for _, r := range st.TestRuns {
		if st.Modules[r.ModuleID] == nil {
			return fmt.Errorf("test run %s: unknown module", r.ID)
		}
	}
	return nil
}
