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
}

// Snapshot returns the whole TFC state as JSON, for --state-file.
func (s *Service) Snapshot() (json.RawMessage, error) {
	var b []byte
	err := s.store.View(func(st *State) error {
		var err error
		b, err = json.Marshal(snapshot{
			Users:      sortedBySeq(st.Users, nil),
			Orgs:       sortedBySeq(st.Orgs, nil),
			Teams:      sortedBySeq(st.Teams, nil),
			Projects:   sortedBySeq(st.Projects, nil),
			Workspaces: sortedBySeq(st.Workspaces, nil),
			Vars:       sortedBySeq(st.Vars, nil),
			VarSets:    sortedBySeq(st.VarSets, nil),
			Tokens:     sortedBySeq(st.Tokens, nil),
			Modules:    sortedBySeq(st.Modules, nil),
			TestRuns:   sortedBySeq(st.TestRuns, nil),
		})
		return err
	})
	return b, err
}

// Restore replaces the TFC state with a snapshot.
func (s *Service) Restore(raw json.RawMessage) error {
	var snap snapshot
	if err := json.Unmarshal(raw, &snap); err != nil {
		return fmt.Errorf("tfc snapshot: %w", err)
	}
	st := newState()
	for _, u := range snap.Users {
		u.seq = st.next()
		st.Users[u.ID] = u
	}
	for _, o := range snap.Orgs {
		o.seq = st.next()
		st.Orgs[o.Name] = o
	}
	for _, t := range snap.Teams {
		t.seq = st.next()
		st.Teams[t.ID] = t
	}
	for _, p := range snap.Projects {
		p.seq = st.next()
		st.Projects[p.ID] = p
	}
	for _, w := range snap.Workspaces {
		w.seq = st.next()
		st.Workspaces[w.ID] = w
	}
	for _, v := range snap.Vars {
		v.seq = st.next()
		st.Vars[v.ID] = v
	}
	for _, v := range snap.VarSets {
		v.seq = st.next()
		st.VarSets[v.ID] = v
	}
	for _, t := range snap.Tokens {
		st.addToken(t)
	}
	for _, m := range snap.Modules {
		m.seq = st.next()
		st.Modules[m.ID] = m
	}
	for _, r := range snap.TestRuns {
		r.seq = st.next()
		st.TestRuns[r.ID] = r
	}
	return s.store.Update(func(cur *State) error {
		*cur = *st
		return nil
	})
}
