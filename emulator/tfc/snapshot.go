package tfc

import (
	"encoding/json"
	"fmt"
	"sync/atomic"
)

// Snapshot returns the whole TFC state as JSON, for --state-file: one
// member per kind (see kinds), each the kind's entries in creation order.
// Token secrets are in it, so a state file is as sensitive as the tokens
// themselves.
func (s *Service) Snapshot() (json.RawMessage, error) {
	var b []byte
	err := s.store.View(func(st *State) (err error) {
		b, err = snapshotOf(st)
		return err
	})
	return b, err
}

// snapshotOf is Snapshot's document of st.
func snapshotOf(st *State) (json.RawMessage, error) {
	members := map[string]any{}
	for _, k := range kinds {
		if k.optional && k.size(st) == 0 {
			continue // absent from older snapshots too
		}
		members[k.name] = k.save(st)
	}
	return json.Marshal(members)
}

// Generation counts the changes to the TFC state: while it stays the
// same, so does Snapshot's document (token last-used stamps included).
func (s *Service) Generation() uint64 {
	if g, ok := s.store.(interface{ generation() uint64 }); ok {
		return g.generation()
	}
	return unknownGeneration.Add(1) // a store that does not count: always changed
}

var unknownGeneration atomic.Uint64

// Restore replaces the TFC state with a snapshot. A snapshot with null
// entries or references to things it does not hold is refused, and the
// state stays as it was. Snapshots written before a kind existed lack its
// member and restore without it.
func (s *Service) Restore(raw json.RawMessage) error {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return fmt.Errorf("tfc snapshot: %w", err)
	}
	st := newState()
	for _, k := range kinds {
		if m, ok := members[k.name]; ok {
			if err := k.load(st, m); err != nil {
				return err
			}
		}
	}
	st.reindex()
	if err := st.indexHosted(); err != nil {
		return err
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
		used, changes := cur.used, cur.changes
		*cur = *st
		used.clear()
		cur.used, cur.changes = used, changes
		cur.touchAll()
		return nil
	})
}

// checkReferences refuses a state whose resources point at what it does
// not hold; handlers rely on these links. Each kind declares its checks.
func (st *State) checkReferences() error {
	for _, k := range kinds {
		if err := k.check(st); err != nil {
			return err
		}
	}
	return nil
}
