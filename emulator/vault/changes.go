package vault

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/tfcemu/tfcemu/emulator/internal/entrylog"
)

// The snapshot members the state file logs by entry: the collections
// that grow. The other members (the signing key, mounts with their
// backends' state, policies) are small and logged whole when they change.
const (
	tokensMember = "tokens"
	leasesMember = "leases"
)

// Generation counts Vault's changes: every request (whatever it changed),
// every token or lease changed outside one (the expiry sweep), Reset and
// Restore. While it stays the same, so does Snapshot's document, and the
// state file does not ask for Changes.
func (s *Server) Generation() uint64 { return s.gen.Load() }

// mark records a change of a token or lease (member tokensMember or
// leasesMember) with id; the caller holds the lock for writing.
func (s *Server) mark(member, id string) {
	s.marks.Mark(member, id)
	s.gen.Add(1)
}

// Changes returns what changed since its last call, for the state file's
// log: the whole snapshot when whole is asked for or the changes are not
// known by entry (after a start, Reset or Restore), else an
// entrylog.Record of the changed tokens and leases and of the other
// members that changed (nil when nothing did); with snapshot, the whole
// snapshot as well. It reads under the lock every change is marked
// under, so no change falls between two calls.
func (s *Server) Changes(whole, snapshot bool) (out entrylog.Taken, err error) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	s.mu.RLock()
	defer s.mu.RUnlock()
	all, keys := s.marks.Take()
	defer func() {
		if err != nil {
			s.marks.MarkAll() // unsaved: the next call takes the whole state
		}
	}()
	snap, err := s.snapshotLocked(whole || all || snapshot)
	if err != nil {
		return out, err
	}
	small, err := smallMembers(snap)
	if err != nil {
		return out, err
	}
	if whole || all || snapshot {
		if out.Snapshot, err = json.Marshal(snap); err != nil {
			return out, err
		}
	}
	if whole || all {
		s.logged = small
		out.Raw = out.Snapshot
		return out, nil
	}
	out.Delta = true
	rec := entrylog.Record{}
	for name, raw := range small {
		if !bytes.Equal(raw, s.logged[name]) {
			rec[name] = entrylog.Member{Set: raw}
		}
	}
	s.logged = small
	if err := entries(rec, tokensMember, keys[tokensMember], s.tokens, func(t *token) any { return snapshotOfToken(t) }); err != nil {
		return out, err
	}
	if err := entries(rec, leasesMember, keys[leasesMember], s.leases, func(l *lease) any { return snapshotOfLease(l) }); err != nil {
		return out, err
	}
	if len(rec) > 0 {
		out.Raw, err = json.Marshal(rec)
	}
	return out, err
}

// smallMembers are the snapshot's members other than tokens and leases,
// each encoded on its own (by the snapshot's field tags).
func smallMembers(snap vaultSnapshot) (map[string][]byte, error) {
	out := map[string][]byte{}
	v, typ := reflect.ValueOf(snap), reflect.TypeOf(snap)
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if name == tokensMember || name == leasesMember {
			continue
		}
		b, err := json.Marshal(v.Field(i).Interface())
		if err != nil {
			return nil, err
		}
		out[name] = b
	}
	return out, nil
}

// entries adds to rec the member's changed entries of live (in ID order,
// each as entry encodes it) and the IDs of those gone.
func entries[T any](rec entrylog.Record, member string, changed map[string]struct{}, live map[string]T, entry func(T) any) error {
	if len(changed) == 0 {
		return nil
	}
	var m entrylog.Member
	for _, id := range slices.Sorted(maps.Keys(changed)) {
		v, ok := live[id]
		if !ok {
			m.Delete = append(m.Delete, id)
			continue
		}
		b, err := json.Marshal(entry(v))
		if err != nil {
			return err
		}
		m.Upsert = append(m.Upsert, b)
	}
	rec[member] = m
	return nil
}

// ApplyChanges applies records (from Changes, in order) to a snapshot and
// returns the snapshot they make.
func (s *Server) ApplyChanges(base json.RawMessage, records []json.RawMessage) (json.RawMessage, error) {
	byID := entrylog.Layout{Sorted: true, Key: func(raw json.RawMessage) (string, error) {
		var e struct{ ID string }
		if err := json.Unmarshal(raw, &e); err != nil {
			return "", err
		}
		if e.ID == "" {
			return "", fmt.Errorf("an entry without its id")
		}
		return e.ID, nil
	}}
	raw, err := entrylog.Apply(base, records, func(name string) (entrylog.Layout, bool) {
		return byID, name == tokensMember || name == leasesMember
	})
	if err != nil {
		return nil, fmt.Errorf("vault %w", err)
	}
	return raw, nil
}
